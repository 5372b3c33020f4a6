from __future__ import annotations

from pydantic import BaseModel, Field


class SignupForm(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=8, max_length=256)


class TokenOut(BaseModel):
    id: int
    name: str
    token: str
