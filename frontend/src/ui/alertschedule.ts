/**
 * A saved search's alerts in one control: immediately, daily, weekly or paused. Shared by the
 * opportunity and the funding saved-search lists (both PATCH `{frequency, paused}`); the stop
 * link in every digest pauses the same way (docs/sme.md).
 */
import type { Signal } from '@preact/signals'
import { h } from 'preact'
import type { I18n } from '../i18n'
import { errorText } from './context'
import { useI18n } from './store'

export type AlertFrequency = 'immediate' | 'daily' | 'weekly'
export interface AlertChange {
  frequency?: AlertFrequency
  paused: boolean
}
export interface Scheduled {
  id: number | string
  name: string
  frequency: AlertFrequency
  paused: boolean
}

const CHOICES = ['immediate', 'daily', 'weekly', 'paused'] as const
type Choice = (typeof CHOICES)[number]

/** The PATCH body for a choice of the control. */
export function alertChange(choice: string): AlertChange {
  if (choice === 'paused') return { paused: true }
  if (choice === 'immediate' || choice === 'daily' || choice === 'weekly') return { frequency: choice, paused: false }
  throw new Error(`not an alert schedule: ${choice}`)
}

/** `idPrefix` keeps the two lists' ids apart (`opps-alerts-5`, `fund-alerts-5`). */
export function AlertSchedule({
  ctx,
  search,
  idPrefix,
  onChange,
}: {
  ctx: { i18n: I18n }
  search: Scheduled
  idPrefix: string
  onChange: (change: AlertChange) => void
}) {
  const { t } = useI18n(ctx)
  const id = `${idPrefix}-alerts-${search.id}`
  const value: Choice = search.paused ? 'paused' : search.frequency
  return h(
    'span',
    { class: 'alert-schedule' },
    h('label', { for: id, class: 'visually-hidden' }, t('alerts.label', { name: search.name })),
    h(
      'select',
      {
        id,
        value,
        onChange: (e: Event) => onChange(alertChange((e.currentTarget as HTMLSelectElement).value)),
      },
      CHOICES.map((c) => h('option', { key: c, value: c }, t(`alerts.${c}`))),
    ),
  )
}

/**
 * Send `change` with `update`, put the answer in `list` and announce it ("Alerts for Roofs:
 * Alerts paused"); a failure is announced too.
 */
export async function changeAlerts<T extends Scheduled>(
  ctx: { i18n: I18n; announce: (message: string) => void },
  list: Signal<T[]>,
  x: T,
  update: () => Promise<T>,
) {
  const { t } = ctx.i18n
  try {
    const updated = await update()
    list.value = list.value.map((y) => (y.id === x.id ? updated : y))
    ctx.announce(t('alerts.changed', { name: x.name, value: t(updated.paused ? 'alerts.paused' : `alerts.${updated.frequency}`) }))
  } catch (err) {
    ctx.announce(t('account.failed', { detail: errorText(err) }))
  }
}
