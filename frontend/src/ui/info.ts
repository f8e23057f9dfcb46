/** Always-visible extras: the selected building's properties and the sun/shadow control. */
import { signal, type Signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { BUILDING_KEYS, buildingRows } from '../core/building'
import type { BuildingProperties } from '../core/mapview'
import { clockText, dateValue, instantOf, nextAnimationMinutes, parseDateValue, siteTimeAt, SUN_DATE_PRESETS, SUN_TIME_PRESETS, type SiteTime } from '../core/sun'
import { formatNumber } from '../i18n/format'
import { field } from './components'
import type { AppContext } from './context'
import { store, useI18n } from './store'

/** The building picked in 3D or in the list (`store.building`). */
export class BuildingInfo {
  constructor(readonly ctx: AppContext) {}

  get props(): BuildingProperties | undefined {
    return store.building.value
  }
  set props(props: BuildingProperties | undefined) {
    store.building.value = props
  }

  render(): JSX.Element {
    return h(BuildingView, { info: this })
  }
}

function BuildingView({ info }: { info: BuildingInfo }) {
  const { t, tag } = useI18n(info.ctx)
  const props = store.building.value
  const rows = props ? buildingRows(props) : []
  return h(
    'section',
    { 'aria-labelledby': 'building-h', class: 'building', 'aria-live': 'polite' },
    h('h2', { id: 'building-h' }, t('building.heading')),
    props
      ? h(
          'dl',
          { class: 'props' },
          rows.map(([k, v]) => [
            h('dt', { key: `t-${k}` }, (BUILDING_KEYS as readonly string[]).includes(k) ? t(`building.${k as (typeof BUILDING_KEYS)[number]}`) : k),
            h(
              'dd',
              { key: `d-${k}` },
              typeof v === 'number' ? (k.endsWith('_m') ? t('unit.metres', { value: formatNumber(v, tag) }) : formatNumber(v, tag)) : String(v),
            ),
          ]),
        )
      : h('p', { class: 'muted' }, t('building.none')),
  )
}

/**
 * The sun study: date and time of day on the SITE's clock (the deployment's time zone, never the
 * visitor's), presets for the dates planners use (21 March, June, December) and times, a day
 * animation, and the shadows toggle. State in signals: the day animation re-renders the time
 * fields only.
 */
export class SunControl {
  /** midday today on the site's clock: a sun study opened at night would show nothing but shadow */
  readonly siteTime: Signal<SiteTime>
  readonly shadowsOn: Signal<boolean>
  readonly playingNow = signal(false)
  /** the <details> is open (kept across renders and tab switches) */
  readonly open = signal(false)
  private timer?: ReturnType<typeof setInterval>

  constructor(
    readonly ctx: AppContext,
    shadows: boolean,
    readonly timeZone: string,
  ) {
    this.shadowsOn = signal(shadows)
    this.siteTime = signal({ ...siteTimeAt(new Date(), timeZone), minutes: 12 * 60 })
  }

  get site(): SiteTime {
    return this.siteTime.value
  }
  set site(site: SiteTime) {
    this.siteTime.value = site
  }
  get shadows(): boolean {
    return this.shadowsOn.value
  }
  set shadows(on: boolean) {
    this.shadowsOn.value = on
  }

  /** the instant the controls show */
  get date(): Date {
    return instantOf(this.site, this.timeZone)
  }

  get playing(): boolean {
    return this.playingNow.value
  }

  apply() {
    this.ctx.map?.setTime(this.date)
    this.ctx.map?.setShadows(this.shadows)
  }

  setMinutes(minutes: number) {
    this.site = { ...this.site, minutes }
    this.apply()
  }

  /** Play the day from the time shown (from 05:00 if it is already evening) until midnight. */
  play() {
    if (this.timer) return
    if (this.site.minutes >= 21 * 60) this.setMinutes(5 * 60)
    this.timer = setInterval(() => {
      const next = nextAnimationMinutes(this.site.minutes)
      if (next === undefined) this.pause()
      else this.setMinutes(next)
    }, 250)
    this.playingNow.value = true
  }

  pause() {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.playingNow.value = false
  }

  now() {
    this.pause()
    this.site = siteTimeAt(new Date(), this.timeZone)
    this.apply()
  }

  render(): JSX.Element {
    return h(SunView, { sun: this })
  }
}

function SunView({ sun }: { sun: SunControl }) {
  const { t } = useI18n(sun.ctx)
  const s = sun.siteTime.value
  const shadows = sun.shadowsOn.value
  const playing = sun.playingNow.value
  const datePresets = SUN_DATE_PRESETS.map((p) =>
    h(
      'button',
      {
        key: p.key,
        type: 'button',
        class: 'chip',
        'aria-pressed': s.month === p.month && s.day === p.day ? 'true' : 'false',
        onClick: () => {
          sun.site = { ...sun.site, month: p.month, day: p.day }
          sun.apply()
        },
      },
      t(`sun.${p.key}`),
    ),
  )
  const timePresets = SUN_TIME_PRESETS.map((m) =>
    h('button', { key: m, type: 'button', class: 'chip', 'aria-pressed': s.minutes === m ? 'true' : 'false', onClick: () => sun.setMinutes(m) }, clockText(m)),
  )
  return h(
    'details',
    { class: 'sun', open: sun.open.value, onToggle: (e: Event) => (sun.open.value = (e.currentTarget as HTMLDetailsElement).open) },
    h('summary', {}, t('sun.heading')),
    h(
      'div',
      { class: 'row' },
      field(
        t('sun.date'),
        h('input', {
          type: 'date',
          name: 'sun-date',
          id: 'sun-date',
          value: dateValue(s),
          onChange: (e: Event) => {
            const d = parseDateValue((e.currentTarget as HTMLInputElement).value)
            if (d) {
              sun.site = { ...sun.site, ...d }
              sun.apply()
            }
          },
        }),
      ),
      h(
        'div',
        { class: 'field' },
        field(
          t('sun.time'),
          h('input', {
            type: 'range',
            name: 'sun-time',
            id: 'sun-time',
            min: 0,
            max: 1435,
            step: 5,
            value: String(s.minutes),
            'aria-valuetext': clockText(s.minutes),
            onInput: (e: Event) => sun.setMinutes(Number((e.currentTarget as HTMLInputElement).value)),
          }),
        ),
        h('output', { for: 'sun-time' }, clockText(s.minutes)),
      ),
    ),
    h('p', { class: 'hint', id: 'sun-zone' }, t('sun.zone', { zone: sun.timeZone })),
    h('div', { class: 'chips', role: 'group', 'aria-label': t('sun.datePresets') }, datePresets),
    h('div', { class: 'chips', role: 'group', 'aria-label': t('sun.timePresets') }, timePresets),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', id: 'sun-play', 'aria-pressed': playing ? 'true' : 'false', onClick: () => (sun.playing ? sun.pause() : sun.play()) }, playing ? t('sun.pause') : t('sun.play')),
      h('button', { type: 'button', onClick: () => sun.now() }, t('sun.now')),
    ),
    h(
      'div',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        id: 'sun-shadows',
        checked: shadows,
        onChange: (e: Event) => {
          sun.shadows = (e.currentTarget as HTMLInputElement).checked
          sun.apply()
        },
      }),
      h('label', { for: 'sun-shadows' }, t('sun.shadows')),
    ),
  )
}
