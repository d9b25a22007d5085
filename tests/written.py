"""What a person in danger writes, in each shipped language, as the tests type it."""

from __future__ import annotations

# One message per kind of danger a category answers first (health for self-harm, violence at
# home, digital safety for blackmail), as people write them.
WRITTEN = {
    "en": {"self_harm": "I want to kill myself", "violence": "my husband beats me",
           "blackmail": "someone is blackmailing me"},
    "ar": {"self_harm": "اريد انتحر", "violence": "زوجي يضربني", "blackmail": "يبتزني"},
    "ckb": {"self_harm": "دەمەوێت خۆم بکوژم", "violence": "مێردەکەم لێم دەدات",
            "blackmail": "بلاکمەیلم دەکات"},
    "ku": {"self_harm": "ez dixwazim xwe bikujim", "violence": "mêrê min li min dixe",
           "blackmail": "şantajê li min dike"},
    "ku-Arab": {"self_harm": "دخوازم خۆ بکوژم", "violence": "مێرێ من ل من ددەت",
                "blackmail": "بلاکمەیلا من دکەت"},
}
