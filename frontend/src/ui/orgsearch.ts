/**
 * Find an organisation in the directory by name or company number (`searchOrganisations`): a
 * single-choice combobox after the WAI-ARIA pattern (list autocomplete). Typing two characters
 * or more searches once typing pauses; the arrow keys move through the matches, Enter picks the
 * active one (the first when none is), Escape closes the list; a click or tap picks too. Used by
 * the award form for a supplier that did not register interest.
 */
import { h } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { searchOrganisations, type OrganisationFound } from '../api/awards'
import type { MessageKey } from '../i18n'
import type { AppContext } from './context'
import { useI18n } from './store'

export interface OrgChoice {
  id: number
  name: string
}

export function OrgSearch({
  ctx,
  id,
  label,
  chosen,
  onChoose,
  error,
}: {
  ctx: AppContext
  id: string
  label: string
  chosen: OrgChoice | null
  onChoose: (org: OrgChoice | null) => void
  error?: string
}) {
  const { t, plural } = useI18n(ctx)
  const [text, setText] = useState(chosen?.name ?? '')
  const [matches, setMatches] = useState<OrganisationFound[]>([])
  const [active, setActive] = useState(-1)
  const [searched, setSearched] = useState(false)
  const seq = useRef(0)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  useEffect(() => {
    if (chosen === null) return
    setText(chosen.name)
  }, [chosen?.id])
  const listId = `${id}-list`
  const open = matches.length > 0
  const activeId = open && active >= 0 ? `${id}-opt-${active}` : undefined
  useLayoutEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView?.({ block: 'nearest' })
  }, [activeId])

  const search = async (q: string): Promise<OrganisationFound[]> => {
    const mine = ++seq.current
    const words = q.trim()
    if (words.length < 2) {
      setMatches([])
      setSearched(false)
      return []
    }
    const found = await searchOrganisations(ctx.api, words).catch(() => undefined)
    if (mine !== seq.current || found === undefined) return []
    setMatches(found.items)
    setSearched(true)
    setActive(-1)
    return found.items
  }
  const typed = (value: string) => {
    setText(value)
    if (chosen) onChoose(null)
    clearTimeout(timer.current)
    timer.current = setTimeout(() => void search(value), 250)
  }
  const pick = (o: OrganisationFound) => {
    setText(o.name)
    setMatches([])
    setSearched(false)
    setActive(-1)
    onChoose({ id: o.id, name: o.name })
    ctx.announce(t('org.chosen', { name: o.name }))
  }
  const described = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')
  return h(
    'div',
    { class: 'field org-search' },
    h('label', { for: id }, label),
    h('input', {
      type: 'text',
      id,
      name: 'supplier',
      value: text,
      autocomplete: 'off',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': open ? 'true' : 'false',
      'aria-controls': listId,
      'aria-activedescendant': activeId,
      'aria-describedby': described,
      'aria-invalid': error ? 'true' : undefined,
      onInput: (e: Event) => typed((e.currentTarget as HTMLInputElement).value),
      onKeyDown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') {
          e.preventDefault() // pick, not submit the form
          clearTimeout(timer.current)
          void (async () => {
            const list = open ? matches : await search(text)
            const o = list[open ? active : -1] ?? list[0]
            if (o) pick(o)
          })()
        } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && open) {
          e.preventDefault()
          const n = matches.length
          setActive((active + (e.key === 'ArrowDown' ? 1 : -1) + n) % n)
        } else if (e.key === 'Escape' && open) {
          e.preventDefault()
          setMatches([])
          setActive(-1)
        }
      },
    }),
    h('p', { class: 'hint', id: `${id}-hint` }, t('org.hint')),
    error ? h('p', { class: 'error', id: `${id}-error` }, error) : null,
    h('p', { class: 'visually-hidden', role: 'status' }, searched ? plural('org.matches', matches.length) : ''),
    h(
      'ul',
      { class: 'cpv-matches', id: listId, role: 'listbox', 'aria-label': t('org.suggestions'), hidden: !open },
      matches.map((o, i) =>
        h(
          'li',
          {
            key: o.id,
            role: 'option',
            id: `${id}-opt-${i}`,
            'aria-selected': i === active ? 'true' : 'false',
            onMouseDown: (e: Event) => {
              e.preventDefault() // keep the focus in the input
              pick(o)
            },
          },
          o.identifier ? `${o.name} · ${t(`award.size.${o.size}` as MessageKey)} · ${o.identifier}` : `${o.name} · ${t(`award.size.${o.size}` as MessageKey)}`,
        ),
      ),
    ),
  )
}
