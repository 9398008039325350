"""``@subdag`` reusing another module's functions (``import unique_users``), both written in
cells: the other module in its own ``%%dataflow unique_users`` cells."""

from tests.corpus import Edit

MODULE = "reusable_subdags"
ORIGINALS = {"unique_users": "original_unique_users.py", "reusable_subdags": "original.py"}
# pandas 3 refuses the monthly grain ("M"), in Hamilton as here: the monthly nodes are not run
TARGETS = [
    "website_interactions",
    "daily_unique_users_US",
    "weekly_unique_users_US",
    "daily_unique_users_CA",
    "weekly_unique_users_CA",
]
EDITS = [
    Edit(
        "reused-function",
        2,
        'return filtered_interactions.resample(_grain_mapping[grain])["user_id"].nunique()',
        'return filtered_interactions.resample(_grain_mapping[grain])["user_id"].count()',
        tuple(
            f"{g}_unique_users_{r}.unique_users"
            for g in ("daily", "weekly", "monthly")
            for r in ("US", "CA")
        ),
    ),
    Edit(
        "events",
        4,
        '("20220901-14:00:00", 1, "US"),',
        '("20220901-14:00:00", 3, "US"),',
        ("website_interactions",),
    ),
]
