/** Always-visible extras: the selected building's properties and the sun/shadow control. */
import type { BuildingProperties } from '../core/mapview'
import { BUILDING_KEYS, buildingRows } from '../core/building'
import { formatNumber } from '../i18n/format'
import type { AppContext } from './context'
import { field, h } from './dom'
import { clockText, dateValue, instantOf, nextAnimationMinutes, parseDateValue, siteTimeAt, SUN_DATE_PRESETS, SUN_TIME_PRESETS, type SiteTime } from '../core/sun'

export class BuildingInfo {
  props?: BuildingProperties
  constructor(private readonly ctx: AppContext) {}

  render(): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const rows = this.props ? buildingRows(this.props) : []
    return h(
      'section',
      { 'aria-labelledby': 'building-h', class: 'building', 'aria-live': 'polite' },
      h('h2', { id: 'building-h' }, t('building.heading')),
      this.props
        ? h(
            'dl',
            { class: 'props' },
            rows.map(([k, v]) => [
              h('dt', {}, (BUILDING_KEYS as readonly string[]).includes(k) ? t(`building.${k as (typeof BUILDING_KEYS)[number]}`) : k),
              h('dd', {}, typeof v === 'number' ? (k.endsWith('_m') ? t('unit.metres', { value: formatNumber(v, tag) }) : formatNumber(v, tag)) : String(v)),
            ]),
          )
        : h('p', { class: 'muted' }, t('building.none')),
    )
  }
}

/**
 * The sun study: date and time of day on the SITE's clock (the deployment's time zone, never the
 * visitor's), presets for the dates planners use (21 March, June, December) and times, a day
 * animation, and the shadows toggle.
 */
export class SunControl {
  /** midday today on the site's clock: a sun study opened at night would show nothing but shadow */
  site: SiteTime
  shadows: boolean
  private timer?: ReturnType<typeof setInterval>
  /** the rendered time controls, updated in place while the day animates */
  private els?: { time: HTMLInputElement; out: HTMLOutputElement; play: HTMLButtonElement }

  constructor(
    private readonly ctx: AppContext,
    shadows: boolean,
    readonly timeZone: string,
  ) {
    this.shadows = shadows
    this.site = { ...siteTimeAt(new Date(), timeZone), minutes: 12 * 60 }
  }

  /** the instant the controls show */
  get date(): Date {
    return instantOf(this.site, this.timeZone)
  }

  get playing(): boolean {
    return this.timer !== undefined
  }

  apply() {
    this.ctx.map?.setTime(this.date)
    this.ctx.map?.setShadows(this.shadows)
  }

  setMinutes(minutes: number) {
    this.site = { ...this.site, minutes }
    if (this.els) {
      this.els.time.value = String(minutes)
      this.els.out.textContent = clockText(minutes)
      this.els.time.setAttribute('aria-valuetext', clockText(minutes))
    }
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
    this.ctx.refresh()
  }

  pause() {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.ctx.refresh()
  }

  render(): HTMLElement {
    const { t } = this.ctx.i18n
    const s = this.site
    const dateInput = h('input', { type: 'date', name: 'sun-date', id: 'sun-date', value: dateValue(s) })
    const time = h('input', { type: 'range', name: 'sun-time', id: 'sun-time', min: '0', max: '1435', step: '5', value: String(s.minutes) })
    const out = h('output', { for: 'sun-time' }, clockText(s.minutes))
    dateInput.addEventListener('change', () => {
      const d = parseDateValue(dateInput.value)
      if (d) {
        this.site = { ...this.site, ...d }
        this.apply()
      }
    })
    time.addEventListener('input', () => this.setMinutes(Number(time.value)))
    time.setAttribute('aria-valuetext', clockText(s.minutes))
    const shadows = h('input', {
      type: 'checkbox',
      id: 'sun-shadows',
      checked: this.shadows,
      onchange: (e: Event) => {
        this.shadows = (e.target as HTMLInputElement).checked
        this.apply()
      },
    })
    const datePresets = SUN_DATE_PRESETS.map((p) =>
      h(
        'button',
        {
          type: 'button',
          class: 'chip',
          'aria-pressed': s.month === p.month && s.day === p.day ? 'true' : 'false',
          onclick: () => {
            this.site = { ...this.site, month: p.month, day: p.day }
            this.apply()
            this.ctx.refresh()
          },
        },
        t(`sun.${p.key}`),
      ),
    )
    const timePresets = SUN_TIME_PRESETS.map((m) =>
      h(
        'button',
        {
          type: 'button',
          class: 'chip',
          'aria-pressed': s.minutes === m ? 'true' : 'false',
          onclick: () => {
            this.setMinutes(m)
            this.ctx.refresh()
          },
        },
        clockText(m),
      ),
    )
    const play = h(
      'button',
      { type: 'button', id: 'sun-play', 'aria-pressed': this.playing ? 'true' : 'false', onclick: () => (this.playing ? this.pause() : this.play()) },
      this.playing ? t('sun.pause') : t('sun.play'),
    )
    this.els = { time, out, play }
    return h(
      'details',
      { class: 'sun' },
      h('summary', {}, t('sun.heading')),
      h('div', { class: 'row' }, field(t('sun.date'), dateInput), h('div', { class: 'field' }, field(t('sun.time'), time), out)),
      h('p', { class: 'hint', id: 'sun-zone' }, t('sun.zone', { zone: this.timeZone })),
      h('div', { class: 'chips', role: 'group', 'aria-label': t('sun.datePresets') }, datePresets),
      h('div', { class: 'chips', role: 'group', 'aria-label': t('sun.timePresets') }, timePresets),
      h('div', { class: 'row' }, play, h('button', { type: 'button', onclick: () => this.now() }, t('sun.now'))),
      h('div', { class: 'check' }, shadows, h('label', { for: 'sun-shadows' }, t('sun.shadows'))),
    )
  }

  private now() {
    this.pause()
    this.site = siteTimeAt(new Date(), this.timeZone)
    this.apply()
    this.ctx.refresh()
  }
}
