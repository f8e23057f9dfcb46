import { describe, expect, it } from 'vitest'
import { dailySeries, labelColumnWidth, niceMax, sentimentByTopic, stackSegments } from './charts'

describe('analytics charts', () => {
  const a = {
    by_sentiment_topic: [
      { topic: 'traffic', sentiment: 'objection', count: 3 },
      { topic: 'design', sentiment: 'supportive', count: 2 },
      { topic: 'design', sentiment: 'objection', count: 1 },
      { topic: 'zzz', sentiment: 'neutral', count: 1 },
    ],
  }

  it('groups sentiment counts by topic in the topic order, unknown topics last', () => {
    const rows = sentimentByTopic(a)
    expect(rows.map((r) => r.topic)).toEqual(['design', 'traffic', 'zzz'])
    expect(rows[0]).toMatchObject({ total: 3, counts: { objection: 1, neutral: 0, supportive: 2 } })
  })

  it('stacks segments left to right, skipping empty sentiments', () => {
    const [design] = sentimentByTopic(a)
    const segs = stackSegments(design, 3)
    expect(segs).toEqual([
      { sentiment: 'objection', x: 0, width: 1 / 3, count: 1 },
      { sentiment: 'supportive', x: 1 / 3, width: 2 / 3, count: 2 },
    ])
  })

  it('fills missing days with zeros', () => {
    expect(dailySeries([{ day: '2026-03-03', count: 2 }, { day: '2026-03-01', count: 1 }])).toEqual([
      { day: '2026-03-01', count: 1 },
      { day: '2026-03-02', count: 0 },
      { day: '2026-03-03', count: 2 },
    ])
    expect(dailySeries([])).toEqual([])
  })

  it('rounds axis maxima up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 49, 51].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 100])
  })
})

describe('labelColumnWidth', () => {
  it('grows with the longest label and stays within its bounds', () => {
    expect(labelColumnWidth(['Use'], 11)).toBe(60)
    // 17 letters at 11 px: 17 * 11 * 0.62 + 8 = 124
    expect(labelColumnWidth(['Kialakítás', 'Megközelíthetőség'], 11)).toBe(124)
    expect(labelColumnWidth(['x'.repeat(60)], 11)).toBe(160)
  })
})
