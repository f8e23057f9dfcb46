/**
 * Hand-written API types, following DESIGN.md's domain model. They are the ONLY hand-written
 * API shapes: once the backend publishes its OpenAPI document, `npm run gen:api` writes
 * `schema.d.ts` and these become aliases of `components['schemas'][...]` in this one file.
 */

export type Id = string | number

export interface Page<T> {
  items: T[]
  total?: number
  next?: string | null
}

export interface ApiErrorBody {
  detail: string
  code: string
}

export type Stage = 'draft' | 'consultation' | 'assessment' | 'decided'
export const STAGES: readonly Stage[] = ['draft', 'consultation', 'assessment', 'decided']
export type Decision = 'approved' | 'refused' | 'withdrawn'

export interface GeoPolygon {
  type: 'Polygon'
  coordinates: number[][][]
}
export interface GeoMultiPolygon {
  type: 'MultiPolygon'
  coordinates: number[][][][]
}
export interface GeoPoint {
  type: 'Point'
  coordinates: number[]
}

export interface MassingBuilding {
  footprint: GeoPolygon
  height_m: number
  base_height_m: number
  storeys?: number | null
}

export interface ProposalModel {
  url: string
  lon: number
  lat: number
  height: number
  /** degrees clockwise from north */
  heading: number
  scale: number
}

export interface ProposalDocument {
  id: Id
  title: string
  url: string
  media_type?: string
}

export interface Proposal {
  id: Id
  reference: string
  title: string
  description: string
  application_type?: string
  stage: Stage
  decision?: Decision | null
  site_address?: string
  site_boundary: GeoMultiPolygon
  use_classes_existing?: string[]
  use_classes_proposed?: string[]
  dwellings?: number | null
  floor_area_m2?: number | null
  consultation_start?: string | null
  consultation_end?: string | null
  decision_date?: string | null
  documents?: ProposalDocument[]
  massing?: MassingBuilding[]
  model?: ProposalModel | null
  /** ids of existing buildings (tileset feature `building_id`) the scheme replaces */
  replaces?: string[]
  comment_count?: number
}

export type ProposalCreate = Omit<Proposal, 'id' | 'stage' | 'decision' | 'documents' | 'comment_count'> & {
  stage?: Stage
}

export type Sentiment = 'objection' | 'neutral' | 'supportive'
export const SENTIMENTS: readonly Sentiment[] = ['objection', 'neutral', 'supportive']
export type Topic = 'design' | 'use' | 'light' | 'privacy' | 'access' | 'noise' | 'traffic' | 'other'
export const TOPICS: readonly Topic[] = ['design', 'use', 'light', 'privacy', 'access', 'noise', 'traffic', 'other']
export type ReportReason = 'spam' | 'offensive' | 'off_topic'
export const REPORT_REASONS: readonly ReportReason[] = ['spam', 'offensive', 'off_topic']

export interface CommentAnchor {
  point: { lon: number; lat: number; height: number }
  building_id?: string | null
  camera: {
    position: { lon: number; lat: number; height: number }
    heading: number
    pitch: number
    roll: number
  }
}

export interface Comment {
  id: Id
  proposal_id: Id
  parent_id?: Id | null
  author_name: string
  body: string
  sentiment: Sentiment
  topics: Topic[]
  anchor?: CommentAnchor | null
  state: 'published' | 'hidden' | 'deleted'
  created_at: string
  reactions?: Record<string, number>
  my_reaction?: string | null
  report_count?: number
}

export interface CommentCreate {
  body: string
  sentiment: Sentiment
  topics: Topic[]
  parent_id?: Id | null
  anchor?: CommentAnchor | null
}

export interface Opportunity {
  id: Id
  proposal_id: Id
  title: string
  description: string
  cpv_codes: string[]
  value_min?: number | null
  value_max?: number | null
  currency: string
  sme_suitable: boolean
  tender_start?: string | null
  tender_end?: string | null
  contract_start?: string | null
  contract_end?: string | null
  location?: GeoPoint | null
  status: 'planned' | 'active' | 'complete' | 'cancelled'
  social_value?: string | null
  contact?: string | null
  distance_m?: number | null
  interest_registered?: boolean
}

export interface OpportunityQuery {
  cpv?: string[]
  near?: { lon: number; lat: number }
  /** use the signed-in organisation's location and reach */
  near_org?: boolean
  within_m?: number
  value_min?: number
  value_max?: number
  closing_before?: string
  sme_suitable?: boolean
  q?: string
  limit?: number
  offset?: number
}

export interface CpvCode {
  code: string
  label: string
}

export type Role = 'citizen' | 'sme' | 'planner' | 'moderator' | 'admin'

export interface User {
  id: Id
  email: string
  display_name: string
  roles: Role[]
  organisation_id?: Id | null
}

export interface Report {
  id: Id
  comment: Comment
  reason: ReportReason
  created_at: string
}

export interface TilesetInfo {
  name: string
  url: string
}

export interface ProposalAnalytics {
  sentiment_by_topic: Record<string, Record<Sentiment, number>>
  comments_per_day: { date: string; count: number }[]
  heat: { lon: number; lat: number; height: number; weight: number }[]
}

/** GET /api/v1/config: deployment settings for the viewer; every field optional. */
export interface ClientConfig {
  imagery?: {
    type: 'xyz' | 'wmts'
    url: string
    layer?: string
    style?: string
    tile_matrix_set?: string
    format?: string
    maximum_level?: number
    credit?: string
  } | null
  terrain_url?: string | null
  default_tileset?: string | null
  home?: { lon: number; lat: number; height: number } | null
}
