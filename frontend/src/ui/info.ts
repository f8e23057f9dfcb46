/** Always-visible extras: the selected building's properties and the sun/shadow control. */
import type { BuildingProperties } from '../core/mapview'
import { BUILDING_KEYS, buildingRows } from '../core/building'
import { formatNumber } from '../i18n/format'
import type { AppContext } from './context'
import { field, h } from './dom'

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

/** Date + time-of-day (local time of the browser), shadows toggle. */
export class SunControl {
  /** midday today: a sun study opened at night would show nothing but shadow */
  date = (() => {
    const d = new Date()
    d.setHours(12, 0, 0, 0)
    return d
  })()
  shadows: boolean
  constructor(private readonly ctx: AppContext, shadows: boolean) {
    this.shadows = shadows
  }

  apply() {
    this.ctx.map?.setTime(this.date)
    this.ctx.map?.setShadows(this.shadows)
  }

  render(): HTMLElement {
    const { t } = this.ctx.i18n
    const pad = (n: number) => String(n).padStart(2, '0')
    const d = this.date
    const dateInput = h('input', { type: 'date', name: 'sun-date', value: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` })
    const minutes = d.getHours() * 60 + d.getMinutes()
    const time = h('input', { type: 'range', name: 'sun-time', min: '0', max: '1435', step: '5', value: String(minutes) })
    const out = h('output', { for: time.id }, `${pad(d.getHours())}:${pad(d.getMinutes())}`)
    const update = () => {
      const [y, m, day] = dateInput.value.split('-').map(Number)
      const mins = Number(time.value)
      if (y && m && day) this.date = new Date(y, m - 1, day, Math.floor(mins / 60), mins % 60)
      out.textContent = `${pad(this.date.getHours())}:${pad(this.date.getMinutes())}`
      time.setAttribute('aria-valuetext', out.textContent)
      this.apply()
    }
    dateInput.addEventListener('change', update)
    time.addEventListener('input', update)
    time.setAttribute('aria-valuetext', out.textContent ?? '')
    const shadows = h('input', { type: 'checkbox', id: 'sun-shadows', checked: this.shadows, onchange: (e: Event) => { this.shadows = (e.target as HTMLInputElement).checked; this.apply() } })
    return h(
      'details',
      { class: 'sun' },
      h('summary', {}, t('sun.heading')),
      h('div', { class: 'row' }, field(t('sun.date'), dateInput), h('div', { class: 'field' }, field(t('sun.time'), time), out)),
      h('div', { class: 'check' }, shadows, h('label', { for: 'sun-shadows' }, t('sun.shadows'))),
      h('button', { type: 'button', onclick: () => { this.date = new Date(); this.apply(); this.ctx.refresh() } }, t('sun.now')),
    )
  }
}
