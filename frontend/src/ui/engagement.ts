/**
 * The participation loop on a proposal's page (issue 14): follow it or the area around it, its
 * design variants and my preference, the questionnaire, "you said, we did" and the timeline;
 * and in the Account tab my notifications and how often I am e-mailed. Mounted by
 * `installEngagement(ctx)` through `setEngagementSections` (proposals.ts) and
 * `setAccountExtras` (account.ts).
 */
import { signal } from '@preact/signals'
import { h, type JSX, type VNode } from 'preact'
import { useEffect } from 'preact/hooks'
import type { Proposal } from '../api'
import {
  answerQuestionnaire,
  createReport,
  follow,
  markAllRead,
  markRead,
  myFollows,
  myNotifications,
  preferences,
  preferVariant,
  questionnaire,
  questionnaireResults,
  setPreferences,
  timeline,
  variants,
  youSaidWeDid,
  type Follow,
  type Frequency,
  type NotificationList,
  type Preferences,
  type Questionnaire,
  type QuestionnaireResults,
  type Timeline,
  type VariantList,
  type YouSaidWeDid,
} from '../api/engagement'
import { variantSource } from '../core/variants'
import { centreOf, FREQUENCIES, NOTIFICATION_KINDS, shares, toAnswers, type FormValue } from '../core/engagement'
import type { MessageKey } from '../i18n'
import { formatDate } from '../i18n/format'
import { setAccountExtras } from './account'
import { field, Notice } from './components'
import { errorText, hasRole, type AppContext } from './context'
import { PlannerLoop, PlannerLoopSection } from './engagement_planner'
import { QuestionEditor, QuestionEditorSection } from './engagement_questions'
import { mount } from './mount'
import { setEngagementSections } from './proposals'
import { store, useI18n } from './store'

export class EngagementPanel {
  readonly variants = signal<VariantList | undefined>(undefined)
  readonly questionnaire = signal<Questionnaire | undefined>(undefined)
  readonly results = signal<QuestionnaireResults | undefined>(undefined)
  readonly said = signal<YouSaidWeDid | undefined>(undefined)
  readonly timeline = signal<Timeline | undefined>(undefined)
  readonly follows = signal<Follow[]>([])
  readonly answers = signal<Record<number, FormValue>>({})
  readonly chosen = signal<number | undefined>(undefined)
  /** the variants drawn in the 3D view instead of the proposal's massing (one, or two split) */
  readonly shown = signal<{ left: number; right?: number } | undefined>(undefined)
  readonly pair = signal<[number | undefined, number | undefined]>([undefined, undefined])
  readonly radius = signal(500)
  readonly notice = signal<string | undefined>(undefined)
  readonly error = signal<string | undefined>(undefined)
  readonly notifications = signal<NotificationList | undefined>(undefined)
  readonly prefs = signal<Preferences | undefined>(undefined)
  private loadedFor?: number
  /** the planner's side (engagement_planner.ts, engagement_questions.ts) */
  readonly loop: PlannerLoop = new PlannerLoop(this)
  readonly editor: QuestionEditor = new QuestionEditor(this)

  constructor(readonly ctx: AppContext) {}

  /** the variants' counts again (a comment on one came in) */
  async reloadVariants(p: Proposal) {
    try {
      const v = await variants(this.ctx.api, p.id)
      if (this.loadedFor !== p.id) return
      this.variants.value = v
      const known = store.variants.value
      if (known?.proposalId === p.id) store.variants.value = { ...known, items: v.items }
    } catch {
      // the counts stay as they were; the next load brings them
    }
  }

  async load(p: Proposal, force = false) {
    if (this.loadedFor === p.id && !force) return
    this.loadedFor = p.id
    this.notice.value = this.error.value = undefined
    const api = this.ctx.api
    try {
      const [v, q, r, s, tl] = await Promise.all([
        variants(api, p.id),
        questionnaire(api, p.id),
        questionnaireResults(api, p.id),
        youSaidWeDid(api, p.id),
        timeline(api, p.id),
      ])
      this.variants.value = v
      this.chosen.value = v.my_preference ?? undefined
      store.variants.value = v.items.length >= 2 ? { proposalId: p.id, items: v.items } : undefined
      this.questionnaire.value = q
      this.results.value = r
      this.said.value = s
      this.timeline.value = tl
      this.follows.value = store.user.value ? await myFollows(api) : []
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  private async step(work: () => Promise<string>) {
    this.notice.value = this.error.value = undefined
    try {
      this.notice.value = await work()
      this.ctx.announce(this.notice.value)
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  followProposal(p: Proposal) {
    const { t } = this.ctx.i18n
    return this.step(async () => {
      await follow(this.ctx.api, { proposal_id: p.id, label: '' })
      this.follows.value = await myFollows(this.ctx.api)
      return t('engage.followed')
    })
  }

  followArea(p: Proposal) {
    const { t } = this.ctx.i18n
    const centre = centreOf(p.site_boundary as { type: string; coordinates: unknown } | null)
    if (!centre) return Promise.resolve()
    return this.step(async () => {
      await follow(this.ctx.api, {
        label: p.site_address || p.title,
        point: { type: 'Point', coordinates: centre },
        radius_m: this.radius.value,
      })
      this.follows.value = await myFollows(this.ctx.api)
      return t('engage.areaFollowed', { radius: this.radius.value })
    })
  }

  prefer(p: Proposal) {
    const { t } = this.ctx.i18n
    const id = this.chosen.value
    if (id === undefined) return Promise.resolve()
    return this.step(async () => {
      this.variants.value = await preferVariant(this.ctx.api, p.id, id)
      return t('engage.preferenceSaved')
    })
  }

  /** Draw variant `left` (and `right`, split) in the 3D view; undefined: the proposal's own. */
  show3d(p: Proposal, left: number | undefined, right?: number) {
    const { t } = this.ctx.i18n
    const items = this.variants.value?.items ?? []
    const a = items.find((v) => v.id === left)
    const b = right === undefined ? undefined : items.find((v) => v.id === right)
    this.shown.value = a ? { left: a.id, right: b?.id } : undefined
    const known = store.variants.peek()
    if (known?.proposalId === p.id) store.variants.value = { ...known, left: a?.id, right: a ? b?.id : undefined }
    this.ctx.map?.showVariants?.(
      a
        ? {
            proposalId: p.id,
            left: a,
            right: b,
            labels: {
              divider: t('engage.v.divider'),
              value: (x) => t('engage.v.dividerValue', { left: a.name, right: b?.name ?? '', pct: Math.round(x * 100) }),
            },
          }
        : undefined,
    )
    this.ctx.announce(b ? t('engage.v.splitShowing', { left: a!.name, right: b.name }) : a ? t('engage.v.showing', { name: a.name }) : t('engage.v.showOwn'))
  }

  answer(p: Proposal) {
    const { t } = this.ctx.i18n
    const q = this.questionnaire.value
    if (!q) return Promise.resolve()
    const out = toAnswers(q.questions, this.answers.value)
    if (!Array.isArray(out)) {
      const question = q.questions.find((x) => x.id === out.questionId)
      this.error.value = t(out.problem === 'required' ? 'engage.q.required' : 'engage.q.ratingRange', { prompt: question?.prompt ?? '' })
      document.getElementById(`q-${out.questionId}`)?.focus()
      return Promise.resolve()
    }
    return this.step(async () => {
      await answerQuestionnaire(this.ctx.api, p.id, out)
      await this.load(p, true)
      return t('engage.q.thanks')
    })
  }

  report(p: Proposal) {
    const { t } = this.ctx.i18n
    return this.step(async () => {
      await createReport(this.ctx.api, p.id)
      await this.ctx.openProposal(p.id, { keepView: true })
      return t('engage.reportMade')
    })
  }

  setValue(id: number, value: FormValue) {
    this.answers.value = { ...this.answers.value, [id]: { ...this.answers.value[id], ...value } }
  }

  // --- account -----------------------------------------------------------------------------
  async loadAccount() {
    try {
      const [n, prefs] = await Promise.all([myNotifications(this.ctx.api), preferences(this.ctx.api)])
      this.notifications.value = n
      this.prefs.value = prefs
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  async read(id: number | undefined) {
    if (id === undefined) await markAllRead(this.ctx.api)
    else await markRead(this.ctx.api, id)
    this.notifications.value = await myNotifications(this.ctx.api)
  }

  savePrefs(frequencies: Record<string, Frequency>) {
    const { t } = this.ctx.i18n
    return this.step(async () => {
      this.prefs.value = await setPreferences(this.ctx.api, {
        items: NOTIFICATION_KINDS.map((kind) => ({ kind, frequency: frequencies[kind] ?? 'immediate' })),
      })
      return t('engage.prefsSaved')
    })
  }
}

// --- the proposal page's sections ------------------------------------------------------------

export function EngagementSections({ panel, p }: { panel: EngagementPanel; p: Proposal }): JSX.Element {
  const { t } = useI18n(panel.ctx)
  useEffect(() => {
    void panel.load(p)
  }, [p.id])
  // a comment on a variant (posted here or live from someone else) changes its count
  const live = store.live.value
  useEffect(() => {
    if (live && 'comment' in live && live.comment.proposal_id === p.id && live.comment.variant_id != null) void panel.reloadVariants(p)
  }, [live])
  const status = [
    panel.notice.value ? h(Notice, { kind: 'status' }, panel.notice.value) : null,
    panel.error.value ? h(Notice, { kind: 'error' }, panel.error.value) : null,
  ]
  return h(
    'div',
    { class: 'engagement' },
    h(FollowSection, { panel, p }),
    status,
    h(VariantsSection, { panel, p }),
    h(QuestionnaireSection, { panel, p }),
    h(SaidSection, { panel, p }),
    h(TimelineSection, { panel, p }),
    hasRole(store.user.value, 'planner') ? h(QuestionEditorSection, { editor: panel.editor, p }) : null,
    hasRole(store.user.value, 'planner') && p.stage !== 'draft' ? h(PlannerLoopSection, { loop: panel.loop, p }) : null,
    hasRole(store.user.value, 'planner') && p.stage !== 'draft'
      ? h('p', {}, h('button', { type: 'button', id: 'make-report', onClick: () => void panel.report(p) }, t('engage.makeReport')))
      : null,
  )
}

function FollowSection({ panel, p }: { panel: EngagementPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  const user = store.user.value
  if (!user) return h('p', { class: 'muted' }, t('engage.signInToFollow'))
  const following = panel.follows.value.some((f) => f.proposal_id === p.id)
  return h(
    'section',
    { id: 'proposal-follow', 'aria-labelledby': 'proposal-follow-h' },
    h('h3', { id: 'proposal-follow-h', tabindex: -1 }, t('engage.follow')),
    following
      ? h('p', { role: 'status' }, t('engage.following'))
      : h('button', { type: 'button', id: 'follow-proposal', onClick: () => void panel.followProposal(p) }, t('engage.followProposal')),
    h(
      'form',
      { class: 'inline', onSubmit: (e: Event) => (e.preventDefault(), void panel.followArea(p)) },
      field(
        t('engage.radius'),
        h('input', {
          id: 'follow-radius',
          type: 'number',
          min: 50,
          max: 5000,
          step: 50,
          value: panel.radius.value,
          onInput: (e: Event) => (panel.radius.value = Number((e.target as HTMLInputElement).value)),
        }),
        t('engage.radiusHint'),
      ),
      h('button', { type: 'submit', id: 'follow-area' }, t('engage.followArea')),
    ),
  )
}

function VariantsSection({ panel, p }: { panel: EngagementPanel; p: Proposal }) {
  const { t, plural } = useI18n(panel.ctx)
  const list = panel.variants.value
  // leaving the proposal (or its page) shows its own scheme again
  useEffect(() => () => {
    if (panel.shown.peek()) {
      panel.shown.value = undefined
      panel.ctx.map?.showVariants?.(undefined)
    }
    // the list stays (the proposal may open again without a reload); nothing is shown
    const known = store.variants.peek()
    if (known?.proposalId === p.id && known.left !== undefined) store.variants.value = { ...known, left: undefined, right: undefined }
  }, [p.id])
  if (!list || list.items.length < 2) return null
  const open = p.stage === 'consultation' && !!store.user.value
  const shown = panel.shown.value
  const name = (id: number | undefined) => list.items.find((v) => v.id === id)?.name ?? ''
  const [l = list.items[0].id, r = list.items[1].id] = panel.pair.value
  const has3d = !!panel.ctx.map?.showVariants
  const picker = (which: 0 | 1, label: string, value: number) =>
    field(
      label,
      h(
        'select',
        {
          id: `variant-compare-${which ? 'right' : 'left'}`,
          value,
          onChange: (e: Event) => {
            const v = Number((e.target as HTMLSelectElement).value)
            panel.pair.value = which ? [l, v] : [v, r]
          },
        },
        list.items.map((v) => h('option', { key: v.id, value: v.id }, v.name)),
      ),
    )
  return h(
    'section',
    { id: 'proposal-variants', 'aria-labelledby': 'proposal-variants-h' },
    h('h3', { id: 'proposal-variants-h', tabindex: -1 }, t('engage.variants')),
    shown
      ? h(
          'p',
          { id: 'variant-shown', class: 'badge-line', role: 'status' },
          shown.right !== undefined ? t('engage.v.splitShowing', { left: name(shown.left), right: name(shown.right) }) : t('engage.v.showing', { name: name(shown.left) }),
          ' ',
          h('button', { type: 'button', id: 'variant-show-own', onClick: () => panel.show3d(p, undefined) }, shown.right !== undefined ? t('engage.v.closeSplit') : t('engage.v.showOwn')),
        )
      : null,
    h(
      'form',
      { onSubmit: (e: Event) => (e.preventDefault(), void panel.prefer(p)) },
      h(
        'fieldset',
        { disabled: !open },
        h('legend', {}, t('engage.preferLegend')),
        list.items.map((v) =>
          h(
            'div',
            { key: v.id, class: 'variant' },
            h('input', {
              type: 'radio',
              name: 'variant',
              id: `variant-${v.id}`,
              value: v.id,
              checked: panel.chosen.value === v.id,
              onChange: () => (panel.chosen.value = v.id),
            }),
            h('label', { for: `variant-${v.id}` }, h('strong', {}, v.name), ' ', h('span', { class: 'muted' }, `${plural('engage.variantPrefs', v.preferences)} · ${plural('comments.count', v.comments)}`)),
            v.description ? h('p', { class: 'muted' }, v.description) : null,
          ),
        ),
        h('button', { type: 'submit', id: 'save-preference' }, t('engage.savePreference')),
      ),
    ),
    // outside the fieldset: seeing a variant needs no account and no open consultation
    has3d
      ? h(
          'div',
          { class: 'variant-3d' },
          h(
            'p',
            { class: 'inline' },
            list.items.map((v) =>
              h(
                'button',
                {
                  key: v.id,
                  type: 'button',
                  id: `variant-show-${v.id}`,
                  'aria-pressed': shown?.left === v.id && shown.right === undefined ? 'true' : 'false',
                  disabled: !variantSource(v),
                  onClick: () => panel.show3d(p, v.id),
                },
                t('engage.v.show3d', { name: v.name }),
              ),
            ),
          ),
          h(
            'form',
            { class: 'inline', id: 'variant-compare', onSubmit: (e: Event) => (e.preventDefault(), panel.show3d(p, l, r)) },
            picker(0, t('engage.v.compareLeft'), l),
            picker(1, t('engage.v.compareRight'), r),
            h('button', { type: 'submit', id: 'variant-compare-open', disabled: l === r }, t('engage.v.compare')),
          ),
        )
      : null,
  )
}

function QuestionnaireSection({ panel, p }: { panel: EngagementPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  const q = panel.questionnaire.value
  if (!q || !q.questions.length) return null
  const canAnswer = p.stage === 'consultation' && !!store.user.value && !q.answered
  const results = panel.results.value
  const values = panel.answers.value
  const centre = centreOf(p.site_boundary as { type: string; coordinates: unknown } | null)
  const controls = q.questions.map((question) => {
    const id = `q-${question.id}`
    const v = values[question.id] ?? {}
    const legend = h('legend', { id, tabindex: -1 }, question.prompt, question.required ? ` (${t('engage.q.requiredMark')})` : '')
    if (question.kind === 'single' || question.kind === 'multiple') {
      return h(
        'fieldset',
        { key: question.id },
        legend,
        question.options.map((o, i) =>
          h(
            'div',
            { key: i },
            h('input', {
              type: question.kind === 'single' ? 'radio' : 'checkbox',
              name: id,
              id: `${id}-${i}`,
              checked: (v.choices ?? []).includes(i),
              onChange: (e: Event) => {
                const on = (e.target as HTMLInputElement).checked
                const now = question.kind === 'single' ? [i] : on ? [...(v.choices ?? []), i] : (v.choices ?? []).filter((c) => c !== i)
                panel.setValue(question.id, { choices: now })
              },
            }),
            h('label', { for: `${id}-${i}` }, o),
          ),
        ),
      )
    }
    if (question.kind === 'rating') {
      return h(
        'fieldset',
        { key: question.id, class: 'rating' },
        legend,
        Array.from({ length: question.rating_max }, (_, i) =>
          h(
            'span',
            { key: i },
            h('input', { type: 'radio', name: id, id: `${id}-${i + 1}`, checked: v.rating === i + 1, onChange: () => panel.setValue(question.id, { rating: i + 1 }) }),
            h('label', { for: `${id}-${i + 1}` }, String(i + 1)),
          ),
        ),
      )
    }
    if (question.kind === 'text') {
      return h(
        'fieldset',
        { key: question.id },
        legend,
        h('textarea', {
          id: `${id}-text`,
          'aria-labelledby': id,
          maxLength: 2000,
          value: v.text ?? '',
          onInput: (e: Event) => panel.setValue(question.id, { text: (e.target as HTMLTextAreaElement).value }),
        }),
      )
    }
    const [lon, lat] = v.point ?? [undefined, undefined]
    return h(
      'fieldset',
      { key: question.id },
      legend,
      h('p', { class: 'hint' }, t('engage.q.pointHint')),
      field(t('engage.q.lon'), h('input', { id: `${id}-lon`, type: 'number', step: 'any', value: lon ?? '', onInput: (e: Event) => panel.setValue(question.id, { point: [Number((e.target as HTMLInputElement).value), lat ?? 0] }) })),
      field(t('engage.q.lat'), h('input', { id: `${id}-lat`, type: 'number', step: 'any', value: lat ?? '', onInput: (e: Event) => panel.setValue(question.id, { point: [lon ?? 0, Number((e.target as HTMLInputElement).value)] }) })),
      centre ? h('button', { type: 'button', id: `${id}-site`, onClick: () => panel.setValue(question.id, { point: centre }) }, t('engage.q.useSite')) : null,
    )
  })
  return h(
    'section',
    { id: 'proposal-questionnaire', 'aria-labelledby': 'proposal-questionnaire-h' },
    h('h3', { id: 'proposal-questionnaire-h', tabindex: -1 }, t('engage.questionnaire')),
    q.answered ? h('p', { role: 'status' }, t('engage.q.answered')) : null,
    canAnswer
      ? h('form', { id: 'questionnaire-form', onSubmit: (e: Event) => (e.preventDefault(), void panel.answer(p)) }, controls, h('button', { type: 'submit', id: 'questionnaire-submit' }, t('engage.q.submit')))
      : !store.user.value
        ? h('p', { class: 'muted' }, t('engage.q.signIn'))
        : null,
    results ? h(Results, { panel, results }) : null,
  )
}

function Results({ panel, results }: { panel: EngagementPanel; results: QuestionnaireResults }) {
  const { t } = useI18n(panel.ctx)
  return h(
    'div',
    { class: 'results' },
    h('h4', {}, t('engage.q.results', { n: results.submissions })),
    results.questions.map((r) =>
      h(
        'div',
        { key: r.question_id },
        h('p', {}, h('strong', {}, r.prompt)),
        r.options?.length
          ? h('ul', {}, (r.options ?? []).map((o, i) => h('li', { key: i }, `${o}: ${r.option_counts?.[i] ?? 0} (${shares(r.option_counts ?? [])[i]}%)`)))
          : null,
        r.rating_mean !== null && r.rating_mean !== undefined ? h('p', {}, t('engage.q.mean', { mean: r.rating_mean })) : null,
        r.kind === 'point' ? h('p', {}, t('engage.q.points', { n: r.points?.length ?? 0 })) : null,
        r.kind === 'text' ? h('p', {}, t('engage.q.texts', { n: r.texts ?? 0 })) : null,
      ),
    ),
  )
}

function SaidSection({ panel }: { panel: EngagementPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  const s = panel.said.value
  if (!s || (!s.themes.length && !s.responses.length)) return null
  const c = s.counts
  return h(
    'section',
    { id: 'proposal-said', 'aria-labelledby': 'proposal-said-h' },
    h('h3', { id: 'proposal-said-h', tabindex: -1 }, t('engage.said')),
    h(
      'p',
      {},
      t('engage.saidCounts', { noted: c.noted ?? 0, changed: c.scheme_changed ?? 0, not: c.not_taken_forward ?? 0, open: c.no_response ?? 0 }),
    ),
    s.changes.length ? h('div', {}, h('h4', {}, t('engage.changes')), h('ul', {}, s.changes.map((x, i) => h('li', { key: i }, x)))) : null,
    h(
      'ul',
      { class: 'responses' },
      [
        ...s.themes.filter((th) => th.response).map((th) => ({ key: `t${th.id}`, title: th.title, r: th.response! })),
        ...s.responses.map((r) => ({ key: `c${r.id}`, title: t('engage.onComment', { id: r.comment_id ?? '' }), r })),
      ].map(({ key, title, r }) =>
        h(
          'li',
          { key, class: 'official' },
          h('p', {}, h('strong', {}, title), ' — ', h('span', { class: 'badge' }, t(`engage.disposition.${r.disposition}` as MessageKey)), ' ', h('span', { class: 'muted' }, t('engage.official', { who: r.responder }))),
          h('p', {}, r.body),
          r.change_made ? h('p', {}, t('engage.whatChanged', { text: r.change_made })) : null,
          r.reason ? h('p', {}, t('engage.why', { text: r.reason })) : null,
        ),
      ),
    ),
  )
}

function TimelineSection({ panel }: { panel: EngagementPanel; p: Proposal }) {
  const { t, tag } = useI18n(panel.ctx)
  const tl = panel.timeline.value
  if (!tl || !tl.items.length) return null
  const date = (s: string) => formatDate(s, tag)
  return h(
    'section',
    { id: 'proposal-timeline', 'aria-labelledby': 'proposal-timeline-h' },
    h('h3', { id: 'proposal-timeline-h', tabindex: -1 }, t('engage.timeline')),
    h(
      'ol',
      { class: 'timeline' },
      tl.items.map((i, n) => h('li', { key: n }, h('time', { dateTime: i.at }, date(i.at)), ' ', i.title, i.detail ? h('span', { class: 'muted' }, ` — ${i.detail}`) : null)),
    ),
  )
}

// --- the Account tab -------------------------------------------------------------------------

export function AccountNotifications({ panel }: { panel: EngagementPanel }): JSX.Element | null {
  const { t } = useI18n(panel.ctx)
  const user = store.user.value
  useEffect(() => {
    if (user) void panel.loadAccount()
  }, [user?.id])
  if (!user) return null
  const list = panel.notifications.value
  const prefs = panel.prefs.value
  const chosen: Record<string, Frequency> = Object.fromEntries((prefs?.items ?? []).map((i) => [i.kind, i.frequency]))
  return h(
    'div',
    { class: 'account-notifications' },
    h(
      'section',
      { 'aria-labelledby': 'notifications-h' },
      h('h3', { id: 'notifications-h' }, t('engage.notifications', { n: list?.unread ?? 0 })),
      list && list.items.length
        ? h(
            'ul',
            { id: 'notification-list' },
            list.items.map((n) =>
              h(
                'li',
                { key: n.id, class: n.read ? 'read' : 'unread' },
                h('a', { href: n.link.slice(n.link.indexOf('#')) }, n.title),
                n.read ? null : h('button', { type: 'button', class: 'link', onClick: () => void panel.read(n.id), 'aria-label': t('engage.markReadOf', { title: n.title }) }, t('engage.markRead')),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('engage.noNotifications')),
      list?.unread ? h('button', { type: 'button', id: 'read-all', onClick: () => void panel.read(undefined) }, t('engage.markAllRead')) : null,
    ),
    prefs
      ? h(
          'form',
          {
            'aria-labelledby': 'prefs-h',
            id: 'notification-prefs',
            onSubmit: (e: Event) => {
              e.preventDefault()
              const form = e.target as HTMLFormElement
              const values: Record<string, Frequency> = {}
              for (const kind of NOTIFICATION_KINDS) values[kind] = (form.elements.namedItem(`pref-${kind}`) as HTMLSelectElement).value as Frequency
              void panel.savePrefs(values)
            },
          },
          h('h3', { id: 'prefs-h' }, t('engage.prefs')),
          NOTIFICATION_KINDS.map((kind) =>
            field(
              t(`engage.kind.${kind}` as MessageKey),
              h(
                'select',
                { id: `pref-${kind}`, name: `pref-${kind}`, value: chosen[kind] ?? 'immediate' },
                FREQUENCIES.map((f) => h('option', { key: f, value: f }, t(`engage.freq.${f}` as MessageKey))),
              ),
            ),
          ),
          h('button', { type: 'submit', id: 'save-prefs' }, t('engage.savePrefs')),
          panel.notice.value ? h(Notice, { kind: 'status' }, panel.notice.value) : null,
        )
      : null,
  )
}

/** Put the sections on the proposal page and the notifications in the Account tab. */
export function installEngagement(ctx: AppContext): EngagementPanel {
  const panel = new EngagementPanel(ctx)
  setEngagementSections((p) => h(EngagementSections, { panel, p }))
  setAccountExtras((host) => mount(h(AccountNotifications, { panel }) as VNode, host))
  return panel
}
