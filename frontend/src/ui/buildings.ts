/**
 * Buildings near the view, as a list: the non-3D equivalent of clicking a building. Choosing
 * one shows its details (the same panel picking fills), marks it in 3D and flies to it.
 */
import type { BuildingFeature } from '../api'
import { bboxOf, outerRings } from '../core/geo'
import type { BBox, BuildingProperties } from '../core/mapview'
import { formatNumber } from '../i18n/format'
import { errorText, type AppContext } from './context'
import { h } from './dom'

const LIMIT = 50

/** A label for a building in a list: its name or address, else its type and id. */
export function buildingLabel(p: BuildingFeature['properties'], fallback: string): string {
  return p.name || p.address || `${p.building_type || fallback} ${p.building_id}`
}

export class BuildingsList {
  private open = false
  private items: BuildingFeature[] = []
  private matched = 0
  private error?: string
  private loading = false
  private timer?: ReturnType<typeof setTimeout>
  private selectedId?: string

  constructor(
    private readonly ctx: AppContext,
    private readonly onChoose: (props: BuildingProperties | undefined) => void,
  ) {}

  /** The camera stopped: refresh the list if it is open (debounced). */
  viewChanged() {
    if (!this.open) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.load(), 400)
  }

  async load() {
    const box: BBox | undefined = this.ctx.map?.viewBounds()
    if (!box) {
      this.items = []
      this.error = undefined
      this.ctx.refresh()
      return
    }
    this.loading = true
    this.ctx.refresh()
    try {
      const page = await this.ctx.api.buildings(box, LIMIT)
      this.items = page.features
      this.matched = page.numberMatched
      this.error = undefined
    } catch (err) {
      this.error = errorText(err)
    }
    this.loading = false
    this.ctx.refresh()
  }

  private choose(f: BuildingFeature) {
    this.selectedId = f.properties.building_id
    const { tileset: _tileset, ...props } = f.properties
    this.onChoose(props as BuildingProperties)
    this.ctx.map?.highlightBuilding(f.properties.building_id)
    const g = f.geometry as Parameters<typeof outerRings>[0]
    const box = g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? bboxOf(outerRings(g).flat()) : undefined
    if (box) this.ctx.map?.flyToBounds(box)
    this.ctx.announce(buildingLabel(f.properties, this.ctx.i18n.t('buildings.building')))
  }

  render(): HTMLElement {
    const { t, plural, tag } = this.ctx.i18n
    const details = h(
      'details',
      { class: 'buildings', id: 'buildings-near' },
      h('summary', {}, t('buildings.heading')),
      !this.ctx.map
        ? h('p', { class: 'muted' }, t('buildings.noMap'))
        : h(
            'div',
            {},
            h('button', { type: 'button', id: 'buildings-refresh', onclick: () => void this.load() }, t('buildings.refresh')),
            this.loading ? h('p', { role: 'status' }, t('app.loading')) : null,
            this.error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error })) : null,
            !this.loading && !this.error
              ? h(
                  'p',
                  { class: 'count', role: 'status' },
                  this.matched > this.items.length
                    ? t('buildings.showingOf', { shown: formatNumber(this.items.length, tag), total: formatNumber(this.matched, tag) })
                    : plural('buildings.count', this.items.length),
                )
              : null,
            this.items.length
              ? h(
                  'ul',
                  { class: 'building-list' },
                  this.items.map((f) =>
                    h(
                      'li',
                      {},
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'link',
                          'aria-current': f.properties.building_id === this.selectedId ? 'true' : undefined,
                          onclick: () => this.choose(f),
                        },
                        buildingLabel(f.properties, t('buildings.building')),
                      ),
                      ' ',
                      h('span', { class: 'muted' }, t('unit.metres', { value: formatNumber(f.properties.height_m, tag) })),
                    ),
                  ),
                )
              : null,
          ),
    ) as HTMLDetailsElement
    details.open = this.open
    details.addEventListener('toggle', () => {
      if (details.open === this.open) return
      this.open = details.open
      if (this.open) void this.load()
    })
    return details
  }
}
