/**
 * Buildings near the view, as a list: the non-3D equivalent of clicking a building. Choosing
 * one shows its details (the same panel picking fills), marks it in 3D and flies to it.
 *
 * A Preact panel after the pattern of README.md: state in signals, so a camera move or a load
 * re-renders this list alone, never the app.
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import type { BuildingFeature } from '../api'
import { bboxOf, outerRings } from '../core/geo'
import type { BBox, BuildingProperties } from '../core/mapview'
import { formatNumber } from '../i18n/format'
import { errorText, type AppContext } from './context'
import { store, useI18n } from './store'

const LIMIT = 50

/** A label for a building in a list: its name or address, else its type and id. */
export function buildingLabel(p: BuildingFeature['properties'], fallback: string): string {
  return p.name || p.address || `${p.building_type || fallback} ${p.building_id}`
}

export class BuildingsList {
  readonly open = signal(false)
  readonly items = signal<BuildingFeature[]>([])
  readonly matched = signal(0)
  readonly error = signal<string | undefined>(undefined)
  readonly loading = signal(false)
  readonly selectedId = signal<string | undefined>(undefined)
  private timer?: ReturnType<typeof setTimeout>

  constructor(
    readonly ctx: AppContext,
    private readonly onChoose: (props: BuildingProperties | undefined) => void,
  ) {}

  /** The camera stopped: refresh the list if it is open (debounced). */
  viewChanged() {
    if (!this.open.peek()) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.load(), 400)
  }

  async load() {
    const box: BBox | undefined = this.ctx.map?.viewBounds()
    if (!box) {
      this.items.value = []
      this.error.value = undefined
      return
    }
    this.loading.value = true
    try {
      const page = await this.ctx.api.buildings(box, LIMIT)
      this.items.value = page.features
      this.matched.value = page.numberMatched
      this.error.value = undefined
    } catch (err) {
      this.error.value = errorText(err)
    }
    this.loading.value = false
  }

  /** The details element opened or closed: load when it opens. */
  toggled(open: boolean) {
    if (open === this.open.peek()) return
    this.open.value = open
    if (open) void this.load()
  }

  choose(f: BuildingFeature) {
    this.selectedId.value = f.properties.building_id
    const { tileset: _tileset, ...props } = f.properties
    this.onChoose(props as BuildingProperties)
    this.ctx.map?.highlightBuilding(f.properties.building_id)
    const g = f.geometry as Parameters<typeof outerRings>[0]
    const box = g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? bboxOf(outerRings(g).flat()) : undefined
    if (box) this.ctx.map?.flyToBounds(box)
    this.ctx.announce(buildingLabel(f.properties, this.ctx.i18n.t('buildings.building')))
  }

  render(): JSX.Element {
    return h(BuildingsView, { panel: this })
  }
}

function BuildingsView({ panel }: { panel: BuildingsList }) {
  const { t } = useI18n(panel.ctx)
  return h(
    'details',
    {
      class: 'buildings',
      id: 'buildings-near',
      open: panel.open.value,
      onToggle: (e: Event) => panel.toggled((e.currentTarget as HTMLDetailsElement).open),
    },
    h('summary', {}, t('buildings.heading')),
    // the 3D view gives the bounds to list: without it there is nothing to ask for
    !store.mapReady.value || !panel.ctx.map ? h('p', { class: 'muted' }, t('buildings.noMap')) : h(BuildingsBody, { panel }),
  )
}

function BuildingsBody({ panel }: { panel: BuildingsList }) {
  const { t, plural, tag } = useI18n(panel.ctx)
  const items = panel.items.value
  const loading = panel.loading.value
  const error = panel.error.value
  const matched = panel.matched.value
  const selected = panel.selectedId.value
  return h(
    'div',
    {},
    h('button', { type: 'button', id: 'buildings-refresh', onClick: () => void panel.load() }, t('buildings.refresh')),
    loading ? h('p', { role: 'status' }, t('app.loading')) : null,
    error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: error })) : null,
    !loading && !error
      ? h(
          'p',
          { class: 'count', role: 'status' },
          matched > items.length
            ? t('buildings.showingOf', { shown: formatNumber(items.length, tag), total: formatNumber(matched, tag) })
            : plural('buildings.count', items.length),
        )
      : null,
    items.length
      ? h(
          'ul',
          { class: 'building-list' },
          items.map((f) =>
            h(
              'li',
              { key: f.properties.building_id },
              h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  'aria-current': f.properties.building_id === selected ? 'true' : undefined,
                  onClick: () => panel.choose(f),
                },
                buildingLabel(f.properties, t('buildings.building')),
              ),
              ' ',
              h('span', { class: 'muted' }, t('unit.metres', { value: formatNumber(f.properties.height_m, tag) })),
            ),
          ),
        )
      : null,
  )
}
