/**
 * The participation loop (issue 14): follows, notifications and their preferences, design
 * variants and preferences, the questionnaire, "you said, we did", the timeline, reports, and
 * the planner's responses, themes and questions. Types come from the generated schema.
 */
import type { components } from './schema'
import type { Api, Id } from './index'

type S = components['schemas']
export type Follow = S['FollowPublic']
export type FollowCreate = S['FollowCreate']
export type NotificationItem = S['NotificationPublic']
export type NotificationList = S['NotificationList']
export type NotificationKind = S['PreferenceItem']['kind']
export type Frequency = S['PreferenceItem']['frequency']
export type Preferences = S['Preferences']
export type Variant = S['VariantPublic']
export type VariantList = S['VariantList']
export type Questionnaire = S['QuestionnairePublic']
export type Question = S['QuestionPublic']
export type QuestionIn = S['QuestionIn']
export type AnswerIn = S['AnswerIn']
export type QuestionnaireResults = S['QuestionnaireResults']
export type YouSaidWeDid = S['YouSaidWeDid']
export type OfficialResponse = S['ResponsePublic']
export type ResponseCreate = S['ResponseCreate']
export type Disposition = ResponseCreate['disposition']
export type Timeline = S['Timeline']
export type TimelineEntry = S['TimelineEntry']
export type ConsultationReport = S['ConsultationReportPublic']
export type Theme = S['ThemePublic']
export type ThemeCreate = S['ThemeCreate']

const V1 = '/api/v1'
const p = (id: Id) => `${V1}/proposals/${encodeURIComponent(String(id))}`
const e = (id: Id) => encodeURIComponent(String(id))

export const myFollows = (api: Api) => api.http.get<Follow[]>(`${V1}/me/follows`)
export const follow = (api: Api, body: FollowCreate) => api.http.post<Follow>(`${V1}/me/follows`, body)
export const unfollow = (api: Api, id: Id) => api.http.delete<void>(`${V1}/me/follows/${e(id)}`)

export const myNotifications = (api: Api, unread = false) =>
  api.http.get<NotificationList>(`${V1}/me/notifications`, { unread: unread || undefined, limit: 50 })
export const markRead = (api: Api, id: Id) => api.http.post<{ marked: number; unread: number }>(`${V1}/me/notifications/${e(id)}/read`)
export const markAllRead = (api: Api) => api.http.post<{ marked: number; unread: number }>(`${V1}/me/notifications/read`)
export const preferences = (api: Api) => api.http.get<Preferences>(`${V1}/me/notification-preferences`)
export const setPreferences = (api: Api, body: Preferences) => api.http.put<Preferences>(`${V1}/me/notification-preferences`, body)

export const variants = (api: Api, id: Id) => api.http.get<VariantList>(`${p(id)}/variants`)
export const preferVariant = (api: Api, id: Id, variantId: Id) =>
  api.http.put<VariantList>(`${p(id)}/variant-preference`, { variant_id: variantId })

export const questionnaire = (api: Api, id: Id) => api.http.get<Questionnaire>(`${p(id)}/questionnaire`)
export const answerQuestionnaire = (api: Api, id: Id, answers: AnswerIn[]) =>
  api.http.post<{ id: number; answers: number }>(`${p(id)}/questionnaire/answers`, { answers })
export const setQuestionnaire = (api: Api, id: Id, questions: QuestionIn[]) =>
  api.http.put<Questionnaire>(`${p(id)}/questionnaire`, { questions })
export const questionnaireResults = (api: Api, id: Id) => api.http.get<QuestionnaireResults>(`${p(id)}/questionnaire/results`)

export const youSaidWeDid = (api: Api, id: Id) => api.http.get<YouSaidWeDid>(`${p(id)}/you-said-we-did`)
export const timeline = (api: Api, id: Id) => api.http.get<Timeline>(`${p(id)}/timeline`)
export const respondToComment = (api: Api, commentId: Id, body: ResponseCreate) =>
  api.http.put<OfficialResponse>(`${V1}/comments/${e(commentId)}/response`, body)
export const respondToTheme = (api: Api, themeId: Id, body: ResponseCreate) =>
  api.http.put<OfficialResponse>(`${V1}/themes/${e(themeId)}/response`, body)
export const createTheme = (api: Api, id: Id, body: ThemeCreate) => api.http.post<Theme>(`${p(id)}/themes`, body)
export const deleteTheme = (api: Api, themeId: Id) => api.http.delete<void>(`${V1}/themes/${e(themeId)}`)
export const createReport = (api: Api, id: Id) => api.http.post<ConsultationReport>(`${p(id)}/reports`)
