"""Questionnaires of a consultation (docs/engagement.md, "Questionnaires").

The proposal's planner sets the questions (the whole list at once) until the first answer comes
in; after that the questions are fixed (409), so that every answer counted answers the same
question. Signed-in, verified accounts answer once per proposal while the consultation is open:
a second submission is 409 and changes nothing (the unique ``(proposal_id, user_id)`` holds
this under concurrency too). Results are aggregated only: counts per option and rating, the
mean rating, the placed points without who placed them, and how many wrote free text (the
texts themselves appear, redacted, in the consultation report only).
"""

from __future__ import annotations

from shapely import wkb
from shapely.geometry import Point

from backend.db.models_engagement import Answer, Question, QuestionnaireSubmission
from backend.db.types import SRID
from backend.errors import ConflictError, InvalidInputError
from backend.repositories import questionnaires as repo
from backend.repositories import session as uow
from backend.repositories.geometry import from_shape
from backend.repositories.session import Session, UniqueViolation
from backend.schemas.questionnaires import (
    QuestionnaireIn,
    QuestionnairePublic,
    QuestionnaireResults,
    QuestionPublic,
    QuestionResult,
    SubmissionIn,
    SubmissionPublic,
)
from backend.schemas.text import visible_text_problem
from backend.services import proposals
from backend.services.auth import Principal


def _public(session: Session, proposal_id: int, principal: Principal | None) -> QuestionnairePublic:
    questions = repo.questions_of(session, proposal_id)
    return QuestionnairePublic(
        proposal_id=proposal_id,
        questions=[
            QuestionPublic(
                id=q.id,
                position=q.position,
                kind=q.kind,
                prompt=q.prompt,
                options=list(q.options or []),
                required=q.required,
                rating_max=q.rating_max,
            )
            for q in questions
        ],
        answered=principal is not None
        and repo.has_answered(session, proposal_id, principal.user.id),
        submissions=repo.submission_count(session, proposal_id),
    )


def get(session: Session, principal: Principal | None, proposal_id: int) -> QuestionnairePublic:
    proposal = proposals.visible(session, principal, proposal_id)
    return _public(session, proposal.id, principal)


def replace(
    session: Session, principal: Principal, proposal_id: int, data: QuestionnaireIn
) -> QuestionnairePublic:
    proposal = proposals.editable(session, principal, proposal_id)
    if proposal.stage in ("assessment", "decided"):
        raise ConflictError(f"proposal {proposal_id}: its consultation has closed")
    if repo.submission_count(session, proposal.id):
        raise ConflictError(
            f"proposal {proposal_id}: the questionnaire has answers; its questions are fixed"
        )
    repo.delete_questions(session, proposal.id)
    for i, q in enumerate(data.questions):
        session.add(
            Question(
                proposal_id=proposal.id,
                position=i,
                kind=q.kind,
                prompt=q.prompt,
                options=q.options,
                required=q.required,
                rating_max=q.rating_max,
            )
        )
    session.commit()
    return _public(session, proposal.id, principal)


def _answer(i: int, q: Question, a: object) -> Answer:
    from backend.schemas.questionnaires import AnswerIn

    assert isinstance(a, AnswerIn)
    where = f"answers[{i}]"
    given = [n for n in ("choices", "rating", "text", "point") if getattr(a, n) is not None]
    wanted = {
        "single": "choices",
        "multiple": "choices",
        "rating": "rating",
        "text": "text",
        "point": "point",
    }[q.kind]
    if given != [wanted]:
        raise InvalidInputError(
            f"{where}: question {q.id} is a {q.kind} question and takes `{wanted}` only"
        )
    answer = Answer(question_id=q.id, choices=[])
    if a.choices is not None:
        options = len(q.options or [])
        if not a.choices or (q.kind == "single" and len(a.choices) != 1):
            raise InvalidInputError(
                f"{where}.choices: a {q.kind} question takes "
                + ("exactly one option" if q.kind == "single" else "one or more options")
            )
        if len(set(a.choices)) != len(a.choices):
            raise InvalidInputError(f"{where}.choices: an option is chosen twice")
        for j, c in enumerate(a.choices):
            if not 0 <= c < options:
                raise InvalidInputError(
                    f"{where}.choices[{j}]: {c} is not an option (0 to {options - 1})"
                )
        answer.choices = sorted(a.choices)
    if a.rating is not None:
        if not 1 <= a.rating <= q.rating_max:
            raise InvalidInputError(f"{where}.rating: 1 to {q.rating_max}")
        answer.rating = a.rating
    if a.text is not None:
        problem = visible_text_problem(a.text)
        if problem:
            raise InvalidInputError(f"{where}.text: {problem}")
        answer.text = a.text.strip()
    if a.point is not None:
        lon, lat = (float(c) for c in a.point.coordinates[:2])
        answer.point = from_shape(Point(lon, lat), SRID)
    return answer


def submit(
    session: Session, principal: Principal, proposal_id: int, data: SubmissionIn
) -> SubmissionPublic:
    proposal = proposals.visible(session, principal, proposal_id)
    if proposal.stage != "consultation":
        raise ConflictError(f"proposal {proposal_id}: its consultation is not open")
    questions = {q.id: q for q in repo.questions_of(session, proposal.id)}
    if not questions:
        raise ConflictError(f"proposal {proposal_id} has no questionnaire")
    if repo.has_answered(session, proposal.id, principal.user.id):
        raise ConflictError(f"proposal {proposal_id}: you have already answered its questionnaire")
    answers = []
    seen: set[int] = set()
    for i, a in enumerate(data.answers):
        q = questions.get(a.question_id)
        if q is None:
            raise InvalidInputError(
                f"answers[{i}].question_id: {a.question_id} is not a question of proposal "
                f"{proposal_id}"
            )
        if q.id in seen:
            raise InvalidInputError(f"answers[{i}].question_id: question {q.id} answered twice")
        seen.add(q.id)
        answers.append(_answer(i, q, a))
    for q in questions.values():
        if q.required and q.id not in seen:
            raise InvalidInputError(f"answers: question {q.id} ({q.prompt!r}) must be answered")
    submission = QuestionnaireSubmission(proposal_id=proposal.id, user_id=principal.user.id)
    session.add(submission)
    try:
        uow.flush(session)
    except UniqueViolation:
        session.rollback()
        raise ConflictError(
            f"proposal {proposal_id}: you have already answered its questionnaire"
        ) from None
    for answer in answers:
        answer.submission_id = submission.id
    session.add_all(answers)
    session.commit()
    return SubmissionPublic(id=submission.id, proposal_id=proposal.id, answers=len(answers))


def aggregate(session: Session, proposal_id: int) -> QuestionnaireResults:
    """The aggregated results (no proposal visibility check: callers do it)."""
    questions = repo.questions_of(session, proposal_id)
    results = {
        q.id: QuestionResult(
            question_id=q.id,
            kind=q.kind,
            prompt=q.prompt,
            answers=0,
            options=list(q.options or []),
            option_counts=[0] * len(q.options or []),
            rating_counts=[0] * q.rating_max if q.kind == "rating" else [],
        )
        for q in questions
    }
    ratings: dict[int, list[int]] = {}
    for a, point in repo.answers_of(session, proposal_id):
        r = results[a.question_id]
        r.answers += 1
        for c in a.choices or []:
            r.option_counts[int(c)] += 1
        if a.rating is not None:
            r.rating_counts[a.rating - 1] += 1
            ratings.setdefault(a.question_id, []).append(a.rating)
        if a.text is not None:
            r.texts += 1
        if point is not None:
            p = wkb.loads(point)
            r.points.append([round(p.x, 6), round(p.y, 6)])
    for qid, values in ratings.items():
        results[qid].rating_mean = round(sum(values) / len(values), 3)
    return QuestionnaireResults(
        proposal_id=proposal_id,
        submissions=repo.submission_count(session, proposal_id),
        questions=list(results.values()),
    )


def results(
    session: Session, principal: Principal | None, proposal_id: int
) -> QuestionnaireResults:
    proposal = proposals.visible(session, principal, proposal_id)
    return aggregate(session, proposal.id)


def texts(session: Session, proposal_id: int) -> list[tuple[int, str]]:
    """(question id, text) of the free-text answers, for the report (redacted there)."""
    return [(a.question_id, a.text) for a, _ in repo.answers_of(session, proposal_id) if a.text]
