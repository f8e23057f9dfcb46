/**
 * The card of a clicked building, in place: beside the point clicked and following it as the
 * camera moves, named by its name or address (never an internal id), with "comment on this
 * building" when a proposal's consultation is open. Focus moves into the card when it opens and
 * back to the 3D view when Escape or × closes it. The 3D view gives the point on screen
 * (`MapView.toScreen`, called after each frame); the card itself is plain UI.
 */
import { signal } from '@preact/signals'
import { h, type VNode } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { buildingLabel, buildingRows, buildingType, BUILDING_KEYS } from '../core/building'
import type { PickedPoint } from '../core/mapview'
import { formatNumber } from '../i18n/format'
import type { AppContext } from './context'
import { mount } from './mount'
import { store } from './store'

/** the properties a card shows (the full list stays in the panel's "Selected building") */
const CARD_KEYS = ['address', 'building_type', 'height_m', 'levels'] as const
/** how far the card sits from the point, in CSS pixels */
const OFFSET = 14
/** the column of map controls at the view's right edge (ui/mapcontrols.ts, styles.css) */
const CONTROLS_WIDTH = 52

/** Where the card goes for a point at (x, y) in a view of `w`×`h`: right of and above the point,
 *  flipped to stay inside the view. */
export function cardPosition(x: number, y: number, w: number, hgt: number, cardW: number, cardH: number): { left: number; top: number } {
  let left = x + OFFSET
  if (left + cardW > w - 4) left = x - OFFSET - cardW
  let top = y - OFFSET - cardH
  if (top < 4) top = y + OFFSET
  // never outside the view, even when the point itself has left it
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), Math.max(lo, hi))
  return { left: Math.round(clamp(left, 4, w - cardW - 4)), top: Math.round(clamp(top, 4, hgt - cardH - 4)) }
}

export class BuildingCard {
  readonly pick = signal<PickedPoint | undefined>(undefined)
  /** the point on screen, or undefined while it is behind the camera */
  readonly at = signal<{ x: number; y: number } | undefined>(undefined)
  private host?: HTMLElement

  constructor(readonly ctx: AppContext) {}

  open(pick: PickedPoint | undefined) {
    this.pick.value = pick
    this.follow()
  }

  close() {
    this.pick.value = undefined
    document.getElementById('map')?.focus()
  }

  /** Re-place the card at its point (after every frame while one is open). */
  follow() {
    const p = this.pick.value
    if (!p) return
    const win = this.ctx.map?.toScreen?.(p.point)
    const prev = this.at.value
    if (!win) this.at.value = undefined
    else if (!prev || Math.abs(prev.x - win.x) > 0.5 || Math.abs(prev.y - win.y) > 0.5) this.at.value = win
  }

  mountInto(host: HTMLElement) {
    this.host = host
    const map = this.ctx.map
    map?.onBuildingPicked?.((pick) => this.open(pick))
    map?.onFrame?.(() => this.follow())
    mount(h(BuildingCardView, { card: this as BuildingCard }) as VNode, host)
  }

  /** The part of the view the card may use: on a phone the panel is a sheet over the view's
   *  lower part, so the card stays above it. */
  get viewSize(): { w: number; h: number } {
    const wrap = this.host?.parentElement
    const w = wrap?.clientWidth ?? 640
    let hgt = wrap?.clientHeight ?? 360
    const panel = document.getElementById('panel')
    if (wrap && panel && getComputedStyle(panel).position === 'absolute') {
      const above = panel.getBoundingClientRect().top - wrap.getBoundingClientRect().top
      if (above > 80) hgt = Math.min(hgt, above)
    }
    return { w, h: hgt }
  }
}

export function BuildingCardView({ card }: { card: BuildingCard }) {
  const { t, tag } = card.ctx.i18n
  void store.locale.value
  const pick = card.pick.value
  const at = card.at.value
  const ref = useRef<HTMLElement>(null)
  const size = useRef({ w: 288, h: 160 })
  // focus goes into the card when it opens on a new building
  useEffect(() => {
    if (pick) ref.current?.querySelector<HTMLElement>('h2')?.focus()
  }, [pick])
  useEffect(() => {
    if (ref.current) size.current = { w: ref.current.offsetWidth, h: ref.current.offsetHeight }
  })
  if (!pick?.building) return null
  const b = pick.building
  const label = buildingLabel(b)
  const title = label.kind === 'named' ? label.text : label.kind === 'block' ? t('card.block', { block: label.block }) : t('card.unnamed')
  const rows = buildingRows(b).filter(
    ([k, v]) => (CARD_KEYS as readonly string[]).includes(k) && !(k === 'address' && label.kind === 'named' && label.text === b.address) && !(k === 'building_type' && !buildingType(v)),
  )
  const value = (k: string, v: string | number | boolean): string => {
    if (k === 'building_type') {
      const bt = buildingType(v)!
      return 'key' in bt ? t(`buildingType.${bt.key}`) : bt.text
    }
    return typeof v === 'number' ? (k.endsWith('_m') ? t('unit.metres', { value: formatNumber(v, tag) }) : formatNumber(v, tag)) : String(v)
  }
  const { w, h: hgt } = card.viewSize
  // the map controls take the right edge: the card keeps clear of them
  const pos = at ? cardPosition(at.x, at.y, w - CONTROLS_WIDTH, hgt, size.current.w, size.current.h) : undefined
  const proposal = store.selection.value.proposal
  const open = proposal?.stage === 'consultation'
  return h(
    'section',
    {
      ref,
      class: 'building-card',
      id: 'building-card',
      'aria-label': t('card.label'),
      style: pos ? `left:${pos.left}px;top:${pos.top}px` : 'visibility:hidden;left:0;top:0',
      onKeyDown: (e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          card.close()
        }
      },
    },
    h('h2', { tabIndex: -1, id: 'building-card-h' }, title),
    h('button', { type: 'button', class: 'close', id: 'building-card-close', 'aria-label': t('app.close'), onClick: () => card.close() }, h('span', { 'aria-hidden': 'true' }, '×')),
    rows.length
      ? h(
          'dl',
          { class: 'props' },
          rows.map(([k, v]) => [
            h('dt', { key: `${k}-t` }, (BUILDING_KEYS as readonly string[]).includes(k) ? t(`building.${k as (typeof BUILDING_KEYS)[number]}`) : k),
            h('dd', { key: `${k}-d` }, value(k, v)),
          ]),
        )
      : null,
    open
      ? h('button', { type: 'button', class: 'primary', id: 'building-card-comment', onClick: () => card.ctx.commentOnBuilding?.(pick) }, t('card.comment'))
      : h('p', { class: 'hint' }, t('card.openProposal')),
  )
}
