/**
 * A proposal's design variants in the scene (issue 14): one variant's blocks instead of the
 * proposal's massing, or two side by side in the one scene and camera, split at a divider.
 *
 * Each variant is a glTF model: built from its massing (core/variants.ts), or else the glb
 * uploaded for it (fetched from the documents API, placed as the proposal's own model is), because Cesium's split
 * (`scene.splitPosition`) applies to models, tilesets and imagery but not to an entity's polygon.
 * The divider is an element over the canvas: dragged with the pointer, or a slider for the
 * keyboard; each move requests a render, so the request-render (light, no GPU) mode follows it.
 */
import { Axis, Cartesian3, HeadingPitchRoll, Math as CMath, Model, ShadowMode, SplitDirection, Transforms, type CesiumWidget } from 'cesium'
import { MAP_COLOURS } from '../core/pins'
import { blockMesh, clampDivider, dividerKey, meshToGlb, variantSource, type VariantScene, type VariantShape } from '../core/variants'
import type { PickTag } from './overlays'

/** What the test hook reads: which variants are drawn, their blocks, the divider. */
export interface VariantState {
  proposalId?: number
  left?: SideState
  right?: SideState
  split: number
  visible: boolean
}

/** One side as the test hook sees it: drawn from its blocks or its uploaded glb (`source`). */
export interface SideState {
  id: number
  source?: 'blocks' | 'model'
  blocks: number
  ready: boolean
}

interface Side {
  id: number
  source?: 'blocks' | 'model'
  blocks: number
  model?: Model
}

export class VariantLayer {
  private scene?: VariantScene
  private sides: { left?: Side; right?: Side } = {}
  private visible = true
  private divider?: HTMLDivElement
  private generation = 0

  constructor(
    private readonly widget: CesiumWidget,
    private readonly tagFor: () => PickTag | undefined,
  ) {}

  get active(): boolean {
    return !!this.scene
  }

  get proposalId(): number | undefined {
    return this.scene?.proposalId
  }

  show(scene: VariantScene | undefined) {
    const before = this.scene
    this.scene = scene
    const same = (a: VariantShape | undefined, b: Side | undefined) => (!a && !b) || (a && b && a.id === b.id)
    if (!scene || before?.proposalId !== scene.proposalId || !same(scene.left, this.sides.left) || !same(scene.right, this.sides.right)) {
      this.rebuild()
    }
    this.placeDivider()
    this.widget.scene.requestRender()
  }

  setVisible(on: boolean) {
    this.visible = on
    for (const s of [this.sides.left, this.sides.right]) if (s?.model) s.model.show = on
    if (this.divider) this.divider.hidden = !on || !this.sides.right
    this.widget.scene.requestRender()
  }

  state(): VariantState {
    const side = (s: Side | undefined): SideState | undefined =>
      s ? { id: s.id, source: s.source, blocks: s.blocks, ready: !!s.model?.ready } : undefined
    return {
      proposalId: this.scene?.proposalId,
      left: side(this.sides.left),
      right: side(this.sides.right),
      split: this.widget.scene.splitPosition,
      visible: this.visible,
    }
  }

  private rebuild() {
    const gen = ++this.generation
    for (const s of [this.sides.left, this.sides.right]) {
      if (s?.model) this.widget.scene.primitives.remove(s.model) // remove() destroys it
    }
    this.sides = {}
    const scene = this.scene
    if (!scene) return
    const split = !!scene.right
    this.sides.left = this.add(scene.left, split ? SplitDirection.LEFT : SplitDirection.NONE, gen)
    if (scene.right) this.sides.right = this.add(scene.right, SplitDirection.RIGHT, gen)
  }

  /** The model of a variant: built from its blocks, or else its uploaded glb where it was placed. */
  private load(v: VariantShape, side: Side, direction: SplitDirection): Promise<Model> | undefined {
    const common = { splitDirection: direction, shadows: ShadowMode.ENABLED, id: this.tagFor() }
    const mesh = side.source === 'blocks' ? blockMesh(v.massing) : undefined
    if (mesh) {
      side.blocks = mesh.blocks
      const origin = Cartesian3.fromDegrees(mesh.origin.lon, mesh.origin.lat, 0)
      // `gltf` takes the glb's bytes (what 3D Tiles content uses); the typings only list `url`
      const bytes = { gltf: meshToGlb(mesh, MAP_COLOURS.scheme) } as unknown as { url: string }
      return Model.fromGltfAsync({
        ...bytes,
        ...common,
        modelMatrix: Transforms.eastNorthUpToFixedFrame(origin),
        // the glb is written as the city's tile content is, so it is read with a tileset's axes
        // (Y up, X forward); a standalone model's default forward axis (Z) turned the blocks 90°
        forwardAxis: Axis.X,
      })
    }
    const m = side.source === 'model' ? v.model : undefined
    if (!m) return undefined
    // an uploaded glb is read as the proposal's own model is (overlays.ts: a model entity, the
    // glTF default axes), at its placement: origin, heading clockwise from north, scale
    const origin = Cartesian3.fromDegrees(m.lon, m.lat, m.height_m ?? 0)
    const turn = new HeadingPitchRoll(CMath.toRadians(m.heading_deg ?? 0), 0, 0)
    return Model.fromGltfAsync({ ...common, url: m.url, modelMatrix: Transforms.headingPitchRollToFixedFrame(origin, turn), scale: m.scale ?? 1 })
  }

  private add(v: VariantShape, direction: SplitDirection, gen: number): Side {
    const side: Side = { id: v.id, source: variantSource(v), blocks: 0 }
    const loading = this.load(v, side, direction)
    if (!loading) return side
    void loading
      .then((model) => {
        if (gen !== this.generation) return model.destroy()
        model.show = this.visible
        side.model = model
        this.widget.scene.primitives.add(model)
        // request-render mode: frames until the model is ready and drawn
        const off = model.readyEvent.addEventListener(() => {
          off()
          this.widget.scene.requestRender()
        })
        this.widget.scene.requestRender()
      })
      .catch((err: unknown) => console.warn(`variant ${v.id} could not be drawn`, err))
    return side
  }

  /** The divider over the canvas, only while two variants are split. */
  private placeDivider() {
    const scene = this.scene
    if (!scene?.right) {
      this.divider?.remove()
      this.divider = undefined
      this.widget.scene.splitPosition = 0.5
      return
    }
    if (!this.divider) this.divider = this.makeDivider()
    const d = this.divider
    d.setAttribute('aria-label', scene.labels?.divider ?? 'Split')
    d.querySelector<HTMLElement>('.split-left')!.textContent = scene.left.name
    d.querySelector<HTMLElement>('.split-right')!.textContent = scene.right.name
    d.hidden = !this.visible
    this.moveTo(this.widget.scene.splitPosition)
  }

  private makeDivider(): HTMLDivElement {
    const container = this.widget.container as HTMLElement
    const d = document.createElement('div')
    d.className = 'split-divider'
    d.id = 'split-divider'
    d.tabIndex = 0
    d.setAttribute('role', 'slider')
    d.setAttribute('aria-orientation', 'horizontal')
    d.setAttribute('aria-valuemin', '5')
    d.setAttribute('aria-valuemax', '95')
    for (const cls of ['split-left', 'split-right']) {
      const label = document.createElement('span')
      label.className = `split-label ${cls}`
      label.setAttribute('aria-hidden', 'true') // the slider's value text names both sides
      d.appendChild(label)
    }
    d.addEventListener('keydown', (e) => {
      const next = dividerKey(this.widget.scene.splitPosition, e.key)
      if (next === undefined) return
      e.preventDefault()
      e.stopPropagation() // the canvas's own arrow keys move the camera
      this.moveTo(next)
    })
    let dragging = false
    d.addEventListener('pointerdown', (e) => {
      dragging = true
      d.setPointerCapture(e.pointerId)
      e.preventDefault()
    })
    d.addEventListener('pointermove', (e) => {
      if (!dragging) return
      const box = container.getBoundingClientRect()
      this.moveTo((e.clientX - box.left) / box.width)
    })
    const stop = (e: PointerEvent) => {
      dragging = false
      if (d.hasPointerCapture(e.pointerId)) d.releasePointerCapture(e.pointerId)
    }
    d.addEventListener('pointerup', stop)
    d.addEventListener('pointercancel', stop)
    container.appendChild(d)
    return d
  }

  private moveTo(fraction: number) {
    const x = clampDivider(fraction)
    this.widget.scene.splitPosition = x
    const d = this.divider
    if (d) {
      d.style.left = `${x * 100}%`
      const pct = Math.round(x * 100)
      d.setAttribute('aria-valuenow', String(pct))
      d.setAttribute('aria-valuetext', this.scene?.labels?.value(x) ?? `${pct}%`)
    }
    this.widget.scene.requestRender()
  }
}
