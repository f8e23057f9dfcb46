/**
 * Over the 3D view: zoom in and out, a compass (shows the heading; pressing it faces north), home
 * (the whole city again), the help ("?", shown by itself on a first visit and remembered), and the
 * legend of what the colours, outlines and pins mean. Every control is a labelled button reachable
 * with the keyboard; the 3D view is reached through `ctx.map` (core/mapview.ts), never viewer/.
 */
import { signal } from '@preact/signals'
import { h, type JSX, type VNode } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { MAP_COLOURS, PIN_STYLES, pinPath, type PinStyle } from '../core/pins'
import type { MessageKey } from '../i18n'
import type { AppContext } from './context'
import { mount } from './mount'
import { store } from './store'

/** localStorage key: the help was seen (and closed) once */
export const HELP_SEEN_KEY = 'civictwin.helpSeen'

function helpSeen(): boolean {
  try {
    return localStorage.getItem(HELP_SEEN_KEY) === '1'
  } catch {
    return false
  }
}

/**
 * Whether the help opens by itself: on a first visit; in the app's test mode (`?test=1`, used by
 * the end-to-end tests, which click the view) only when `help=1` asks for it.
 */
export function helpOnStart(search: string, seen: boolean): boolean {
  const q = new URLSearchParams(search)
  if (q.get('help') === '1') return true
  if (q.has('test')) return false
  return !seen
}

export class MapControls {
  readonly heading = signal(0)
  readonly helpOpen = signal(false)
  readonly legendOpen = signal(false)

  constructor(readonly ctx: AppContext) {
    this.helpOpen.value = helpOnStart(location.search, helpSeen())
  }

  /** Follow the camera's heading (rounded, so the compass re-renders only when it turns). */
  attach() {
    const map = this.ctx.map
    if (!map) return
    const update = () => {
      const deg = Math.round(((map.getCamera().heading % 360) + 360) % 360)
      if (deg !== this.heading.value) this.heading.value = deg
    }
    update()
    if (map.onFrame) map.onFrame(update)
    else map.onCameraChanged(update)
  }

  closeHelp() {
    this.helpOpen.value = false
    try {
      localStorage.setItem(HELP_SEEN_KEY, '1')
    } catch {
      /* storage may be disabled: the help then shows again next time */
    }
    document.getElementById('map-help-button')?.focus()
  }

  toggleHelp() {
    if (this.helpOpen.value) this.closeHelp()
    else {
      this.helpOpen.value = true
      requestAnimationFrame(() => document.getElementById('map-help-close')?.focus())
    }
  }

  /** Put the controls into `host` (an element over the 3D view). */
  mountInto(host: Element) {
    this.attach()
    mount(h(MapControlsView, { controls: this as MapControls }) as VNode, host)
  }
}

function Icon({ d, rotate = 0 }: { d: string; rotate?: number }) {
  return h('svg', { width: 22, height: 22, viewBox: '0 0 22 22', 'aria-hidden': 'true', focusable: 'false', style: rotate ? `transform: rotate(${rotate}deg)` : undefined }, h('path', { d, fill: 'currentColor' }))
}

const ICONS = {
  plus: 'M10 4h2v6h6v2h-6v6h-2v-6H4v-2h6z',
  minus: 'M4 10h14v2H4z',
  home: 'M11 3 2 11h3v8h5v-5h2v5h5v-8h3z',
  // the compass needle: the north half filled, the south half outlined
  compass: 'M11 2 15 11H7zM7 11h8l-4 9zm2 1 2 4.6 2-4.6z',
  legend: 'M3 5h3v3H3zm5 0h11v3H8zM3 10h3v3H3zm5 0h11v3H8zm-5 5h3v3H3zm5 0h11v3H8z',
}

export function MapControlsView({ controls }: { controls: MapControls }) {
  const { t } = controls.ctx.i18n
  void store.locale.value // re-render on a language change
  const map = controls.ctx.map
  const heading = controls.heading.value
  return h(
    'div',
    { class: 'map-overlay-ui' },
    h(
      'div',
      { class: 'map-controls', role: 'toolbar', 'aria-label': t('map.controls'), 'aria-orientation': 'vertical' },
      h('button', { type: 'button', id: 'map-zoom-in', 'aria-label': t('map.zoomIn'), title: t('map.zoomIn'), onClick: () => map?.zoomBy?.(1) }, h(Icon, { d: ICONS.plus })),
      h('button', { type: 'button', id: 'map-zoom-out', 'aria-label': t('map.zoomOut'), title: t('map.zoomOut'), onClick: () => map?.zoomBy?.(-1) }, h(Icon, { d: ICONS.minus })),
      h(
        'button',
        { type: 'button', id: 'map-compass', class: 'compass', 'aria-label': t('map.north', { heading }), title: t('map.north', { heading }), onClick: () => map?.faceNorth?.() },
        // the needle points to north on the screen: turned against the camera's heading
        h(Icon, { d: ICONS.compass, rotate: -heading }),
      ),
      h('button', { type: 'button', id: 'map-home', 'aria-label': t('map.home'), title: t('map.home'), onClick: () => map?.goHome?.() }, h(Icon, { d: ICONS.home })),
      h(
        'button',
        { type: 'button', id: 'map-legend-button', 'aria-label': t('legend.show'), title: t('legend.show'), 'aria-expanded': controls.legendOpen.value ? 'true' : 'false', 'aria-controls': 'map-legend', onClick: () => (controls.legendOpen.value = !controls.legendOpen.value) },
        h(Icon, { d: ICONS.legend }),
      ),
      h(
        'button',
        { type: 'button', id: 'map-help-button', 'aria-label': t('map.help'), title: t('map.help'), 'aria-expanded': controls.helpOpen.value ? 'true' : 'false', 'aria-controls': 'map-help', onClick: () => controls.toggleHelp() },
        h('span', { 'aria-hidden': 'true' }, '?'),
      ),
    ),
    controls.helpOpen.value ? h(Help, { controls }) : null,
    controls.legendOpen.value ? h(Legend, { controls }) : null,
  )
}

function Help({ controls }: { controls: MapControls }) {
  const { t } = controls.ctx.i18n
  return h(
    'section',
    {
      class: 'map-help',
      id: 'map-help',
      'aria-labelledby': 'map-help-h',
      onKeyDown: (e: KeyboardEvent) => {
        if (e.key === 'Escape') controls.closeHelp()
      },
    },
    h('h2', { id: 'map-help-h' }, t('help.heading')),
    h('ul', {}, (['help.move', 'help.click', 'help.proposals', 'help.list'] as MessageKey[]).map((k) => h('li', { key: k }, t(k)))),
    h('button', { type: 'button', id: 'map-help-close', class: 'primary', onClick: () => controls.closeHelp() }, t('help.close')),
  )
}

function Swatch({ fill, stroke, dashed }: { fill: string; stroke: string; dashed?: boolean }) {
  return h(
    'svg',
    { width: 20, height: 16, viewBox: '0 0 20 16', 'aria-hidden': 'true', focusable: 'false' },
    h('rect', { x: 2, y: 2, width: 16, height: 12, fill, stroke, 'stroke-width': 2.5, 'stroke-dasharray': dashed ? '3 2' : undefined }),
  )
}

function Mark({ style }: { style: PinStyle }) {
  return h('svg', { width: 18, height: 18, viewBox: '0 0 18 18', 'aria-hidden': 'true', focusable: 'false' }, h('path', { d: pinPath(style.shape, 18), fill: style.colour, stroke: '#1b1b1f', 'stroke-width': 1 }))
}

function Legend({ controls }: { controls: MapControls }) {
  const { t } = controls.ctx.i18n
  const ref = useRef<HTMLElement>(null)
  useEffect(() => ref.current?.focus(), [])
  const rows: [MessageKey, JSX.Element][] = [
    ['legend.site', h(Swatch, { fill: `${MAP_COLOURS.site}33`, stroke: MAP_COLOURS.site })],
    ['legend.scheme', h(Swatch, { fill: MAP_COLOURS.scheme, stroke: MAP_COLOURS.site })],
    ['legend.existing', h(Swatch, { fill: MAP_COLOURS.existing, stroke: '#8a919c' })],
    ['legend.selected', h(Swatch, { fill: MAP_COLOURS.selected, stroke: '#0277bd' })],
    ['legend.objection', h(Mark, { style: PIN_STYLES.objection })],
    ['legend.neutral', h(Mark, { style: PIN_STYLES.neutral })],
    ['legend.supportive', h(Mark, { style: PIN_STYLES.supportive })],
    ['legend.opportunity', h(Mark, { style: PIN_STYLES.opportunity })],
  ]
  return h(
    'section',
    {
      class: 'map-legend',
      id: 'map-legend',
      'aria-labelledby': 'map-legend-h',
      tabIndex: -1,
      ref,
      onKeyDown: (e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          controls.legendOpen.value = false
          document.getElementById('map-legend-button')?.focus()
        }
      },
    },
    h('h2', { id: 'map-legend-h' }, t('legend.heading')),
    h('ul', {}, rows.map(([k, icon]) => h('li', { key: k }, icon, h('span', {}, t(k))))),
  )
}
