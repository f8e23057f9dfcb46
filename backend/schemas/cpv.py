"""CPV 2008 codes with labels in the UI languages."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CpvCode(BaseModel):
    code: str = Field(examples=["45112710-5"], description="With check digit")
    parent: str | None = Field(None, examples=["45112700"])
    prefix: str = Field(examples=["4511271"], description="Digits shared by its subtree")
    label: str = Field(examples=["Landscaping work for green areas"], description="In `lang`")
    labels: dict[str, str] = Field(
        description="Every UI language the official list has a label in",
        examples=[{"en": "Landscaping work for green areas", "sv": "Anläggning av grönområden"}],
    )


class CpvList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "code": "45112710-5",
                            "parent": "45112700",
                            "prefix": "4511271",
                            "label": "Landscaping work for green areas",
                            "labels": {
                                "en": "Landscaping work for green areas",
                                "sv": "Anläggning av grönområden",
                            },
                        }
                    ]
                }
            ]
        }
    )

    items: list[CpvCode]
