import { describe, expect, it } from 'vitest'
import { emptyEditorState } from '../core/editor'
import { editorStateFromGeoJson, parseCoordinateLines } from './planner'

const square = (x: number, y: number, s: number) => [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]

describe('planner input', () => {
  it('parses typed coordinates, skipping bad lines', () => {
    expect(parseCoordinateLines('-0.1, 51.5\nfoo\n-0.2 51.6\n')).toEqual([
      { lon: -0.1, lat: 51.5 },
      { lon: -0.2, lat: 51.6 },
    ])
  })

  it('reads an uploaded GeoJSON: the site by role, blocks with heights or storeys', () => {
    const doc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(1, 1, 1) }, properties: { storeys: 4 } },
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(0, 0, 10) }, properties: { role: 'site' } },
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(3, 3, 1) }, properties: { height_m: 20, base_height_m: 5 } },
      ],
    }
    const s = editorStateFromGeoJson(doc, emptyEditorState())
    expect(s.site).toHaveLength(4)
    expect(s.blocks.map((b) => [b.height_m, b.base_height_m, b.storeys])).toEqual([
      [12, 0, 4],
      [20, 5, undefined],
    ])
  })
})
