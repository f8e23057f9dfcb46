/**
 * API types: aliases of the schemas generated from the backend's OpenAPI document
 * (`npm run gen:api` writes `schema.d.ts`). Nothing here restates a backend shape by hand; the
 * few constants below are the enums of those schemas, kept as values for the UI to iterate.
 */
import type { components, operations } from './schema'

type S = components['schemas']

export type Id = number

export interface ApiErrorBody {
  detail: string
  code: string
  /** the message as a key the UI translates with `params` (core/errors.ts) */
  key?: string | null
  params?: Record<string, string | number | string[]>
}

// accounts
export type User = S['Me']
export type Role = User['roles'][number]
export type RegisterRequest = S['RegisterRequest']
export type Accepted = S['Accepted']
export type PasswordChanged = S['PasswordChanged']
export type AccountType = NonNullable<RegisterRequest['account_type']>

// deployment
export type ClientConfig = S['ViewerConfig']
export type TilesetInfo = S['TilesetPublic']
export type BuildingFeature = S['BuildingFeature']
export type BuildingCollection = S['BuildingCollection']

// proposals
export type Proposal = S['ProposalPublic']
export type ProposalSummary = S['ProposalSummary']
export type ProposalList = S['ProposalList']
export type ProposalCreate = S['ProposalCreate']
export type ProposalUpdate = S['ProposalUpdate']
export type Stage = Proposal['stage']
export type Decision = NonNullable<Proposal['decision']>
export type MassingIn = S['MassingIn']
export type MassingFeature = S['MassingFeatureIn']
export type ModelPlacement = S['ModelPlacement']
export type ProposalModel = S['ModelPublic']
export type ProposalDocument = S['DocumentPublic']
export type PolygonGeometry = S['PolygonGeometry']
export type MultiPolygonGeometry = S['MultiPolygonGeometry']

// The closed vocabularies are the backend's (GET /api/v1/vocabularies, backend/schemas/
// vocabularies.py). The lists below are checked by tsc against the generated enums: a value the
// backend adds or drops fails the build once the client is regenerated (tests/frontend check it is).
export type Vocabularies = S['Vocabularies']
export type Limits = S['Limits']

/** `list`, checked to hold every member of `T` (tsc names the missing ones) and nothing else. */
export function everyOf<T extends string>() {
  return <const L extends readonly T[]>(list: L, ..._complete: [T] extends [L[number]] ? [] : [missing: Exclude<T, L[number]>]): L => list
}

export const STAGES: readonly Stage[] = everyOf<Vocabularies['stages'][number]>()(['draft', 'consultation', 'assessment', 'decided'])

// comments
export type Comment = S['CommentPublic']
export type CommentPage = S['CommentPage']
export type CommentCreate = S['CommentCreate']
export type CommentAnchor = S['Anchor']
export type Sentiment = NonNullable<Comment['sentiment']>
export type Topic = Comment['topics'][number]
export type ReactionKind = NonNullable<S['ReactionSet']['kind']>
export type ReactionCounts = S['ReactionCounts']
export type ReportReason = S['ReportCreate']['reason']
export type ModerationItem = S['ModerationItem']
export type ModeratedComment = S['CommentModeration']
export type ModerationReport = S['ModerationReport']
// by operation, not schema name: another schema is also called ReportPublic (the consultation reports)
export type ReportPublic = operations['dismissReport']['responses'][200]['content']['application/json']

// administration
export type UserAdmin = S['UserAdmin']
export type UserList = S['UserList']
export type AuditEntry = S['AuditEntry']
export type AuditLogPage = S['AuditLogPage']
export type AuditQuery = NonNullable<operations['listAuditLog']['parameters']['query']>

export const SENTIMENTS: readonly Sentiment[] = everyOf<Vocabularies['sentiments'][number]>()(['objection', 'neutral', 'supportive'])
export const TOPICS: readonly Topic[] = everyOf<Vocabularies['topics'][number]>()(['design', 'use', 'light', 'privacy', 'access', 'noise', 'traffic', 'other'])
export const REPORT_REASONS: readonly ReportReason[] = everyOf<Vocabularies['report_reasons'][number]>()(['spam', 'offensive', 'off_topic'])

// opportunities and organisations
export type Opportunity = S['OpportunityPublic']
export type OpportunityList = S['OpportunityList']
export type OpportunityCreate = S['OpportunityCreate']
export type OpportunityQuery = NonNullable<operations['listOpportunities']['parameters']['query']>
export type OpportunityFilters = S['OpportunityFilters']
export type Interest = S['InterestPublic']
export type Match = S['Match']
export type MatchList = S['MatchList']
export type CpvCode = S['CpvCode']
export type SavedSearch = S['SavedSearchPublic']
export type Organisation = S['OrganisationPublic']
export type SocialValue = NonNullable<OpportunityCreate['social_value']>[number]

// analytics
export type ProposalAnalytics = S['Analytics']
