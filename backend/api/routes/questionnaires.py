"""A consultation's questionnaire: the questions, answering once, and aggregated results."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import CurrentPrincipal, OptionalPrincipal, SessionDep, VerifiedPrincipal
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.questionnaires import (
    QuestionnaireIn,
    QuestionnairePublic,
    QuestionnaireResults,
    SubmissionIn,
    SubmissionPublic,
)
from backend.services import questionnaires

router = APIRouter(prefix="/proposals/{proposal_id}/questionnaire", tags=["questionnaires"])


@router.get(
    "",
    response_model=QuestionnairePublic,
    operation_id="getQuestionnaire",
    responses=error_responses(404),
)
def get_questionnaire(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> QuestionnairePublic:
    return questionnaires.get(session, principal, proposal_id)


@router.put(
    "",
    response_model=QuestionnairePublic,
    operation_id="setQuestionnaire",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Set the questions (the proposal's planner; until the first answer)",
)
def set_questionnaire(
    proposal_id: ResourceId,
    data: QuestionnaireIn,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> QuestionnairePublic:
    return questionnaires.replace(session, principal, proposal_id, data)


@router.post(
    "/answers",
    response_model=SubmissionPublic,
    status_code=201,
    operation_id="answerQuestionnaire",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Answer the questionnaire, once per account (a second answer is 409)",
)
def answer_questionnaire(
    proposal_id: ResourceId, data: SubmissionIn, principal: VerifiedPrincipal, session: SessionDep
) -> SubmissionPublic:
    return questionnaires.submit(session, principal, proposal_id, data)


@router.get(
    "/results",
    response_model=QuestionnaireResults,
    operation_id="getQuestionnaireResults",
    responses=error_responses(404),
    summary="Aggregated results (open data: counts, means, anonymous points; no one's answers)",
)
def get_questionnaire_results(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> QuestionnaireResults:
    return questionnaires.results(session, principal, proposal_id)
