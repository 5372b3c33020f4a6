"""Pydantic models of quiz files (course/quizzes/weekNN.yaml) and of the quiz API."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, TypeAdapter, model_validator

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=40)]
Number = Union[StrictInt, StrictFloat]


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]{1,12}$")
    text: str = Field(min_length=1)
    correct: bool = False


class QuestionBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^w\d{2}-[a-z0-9][a-z0-9-]*$", max_length=60)
    points: float = Field(1.0, gt=0, le=100)
    prompt: str = Field(min_length=1)
    explanation: str = Field(min_length=1)


class SingleQuestion(QuestionBase):
    type: Literal["single"]
    choices: list[Choice] = Field(min_length=2, max_length=12)


class MultipleQuestion(QuestionBase):
    type: Literal["multiple"]
    choices: list[Choice] = Field(min_length=2, max_length=12)


class Tolerance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    abs: float | None = Field(None, gt=0)
    rel: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> "Tolerance":
        if self.abs is None and self.rel is None:
            raise ValueError("give an absolute tolerance {abs: ...} or a relative one {rel: ...}")
        return self


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    answer: Number | str
    params: dict[Identifier, Annotated[list[Number], Field(min_length=1, max_length=50)]] = {}
    tolerance: Tolerance


class TextQuestion(QuestionBase):
    type: Literal["text"]
    accept: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(None, min_length=1)
    regex: str | None = Field(None, min_length=1, max_length=500)


class CodeQuestion(QuestionBase):
    type: Literal["code"]
    function: Identifier
    starter: str = Field(min_length=1)
    solution: str = Field(min_length=1)
    cases: list[list[Any]] = Field(min_length=1, max_length=50)
    compare: Literal["exact", "allclose"] = "exact"
    rtol: float | None = Field(None, ge=0)
    atol: float | None = Field(None, ge=0)


Question = Annotated[Union[SingleQuestion, MultipleQuestion, NumericQuestion, TextQuestion, CodeQuestion],
                     Field(discriminator="type")]
QUESTION_ADAPTER: TypeAdapter = TypeAdapter(Question)
QUESTION_TYPES = ("single", "multiple", "numeric", "text", "code")


class QuizFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^quiz-week\d{2}$")
    week: int = Field(ge=1, le=33)
    title: str = Field(min_length=3, max_length=300)
    pass_mark: float = Field(gt=0, le=1)
    max_attempts: int = Field(ge=1, le=100)
    score_policy: Literal["best", "latest"] = "best"
    draw: int | None = Field(None, ge=1)
    questions: list[Question] = Field(min_length=1, max_length=200)


# ---------------------------------------------------------------- API

class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question_id: str = Field(max_length=60)
    answer: Any = None


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any] = {}


class QuizSummary(BaseModel):
    id: str
    week: int
    title: str
    pass_mark: float
    max_attempts: int
    score_policy: str
    question_count: int
    draw: int
    attempts_used: int
    attempts_left: int
    open_attempt_id: int | None
    passed: bool
    best_score: float | None
    score: float | None
    max_score: float | None


class AnswerSaved(BaseModel):
    attempt_id: int
    question_id: str
    answer: Any
    saved: bool = True
