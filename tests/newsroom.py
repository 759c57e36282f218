"""A small newsroom of articles for the editor tests, each reuse case deliberate.

- ``ferry-wire`` is AP copy; ``ferry-coast`` runs it under its own lead
  (wire copy, common source).
- ``museum-times`` is original reporting; ``museum-digest`` lifts two of its
  paragraphs three hours later with a word changed here and there (copied
  from, near-verbatim); ``museum-scraper`` lifts one of them with HTML and a
  script in its text, which the pages must show as text and never run.
- ``bridge-times`` and ``bridge-herald`` quote the same speaker at length in
  otherwise different reports (a shared quote, not copy).
- ``digest-rates`` and ``digest-parks`` end with Metro Digest's newsletter
  blurb (boilerplate).
"""

from __future__ import annotations

FERRY_WIRE = (
    "HALIFAX, Nova Scotia (AP) — The last ferry between Halifax and the islands "
    "of the outer bay will stop running at the end of the month after the operator "
    "said rising fuel costs had made the crossing impossible to keep afloat.\n\n"
    "The company told passengers in a letter that it had lost money on every sailing "
    "for three winters in a row and that talks with the provincial government over a "
    "subsidy had ended without an agreement.\n\n"
    "About four hundred people live on the islands year round, and many of them rely "
    "on the ferry to reach doctors, schools and the supermarket on the mainland.\n\n"
    "Provincial officials said they were studying whether a smaller boat could carry "
    "passengers twice a day while a longer term solution was found."
)

FERRY_COAST = (
    "Islanders gathered at the wharf on Tuesday night to decide what to do next.\n\n"
    "HALIFAX, Nova Scotia (AP) — The last ferry between Halifax and the islands "
    "of the outer bay will stop running at the end of the month after the operator "
    "said rising fuel costs had made the crossing impossible to keep afloat.\n\n"
    "The company told passengers in a letter that it had lost money on every sailing "
    "for three winters in a row and that talks with the provincial government over a "
    "subsidy had ended without an agreement.\n\n"
    "About four hundred people live on the islands year round, and many of them rely "
    "on the ferry to reach doctors, schools and the supermarket on the mainland."
)

MUSEUM_TIMES = (
    "The maritime museum on Water Street reopened its doors on Saturday after an "
    "eighteen month restoration that rebuilt the roof and saved the collection of "
    "ship models from the damp.\n\n"
    "Curators spent the closure cataloguing more than two thousand objects, among them "
    "a brass telescope that belonged to the harbour master who first charted the "
    "sandbanks at the mouth of the river.\n\n"
    "Volunteers who had guided visitors for decades were back in the galleries by ten "
    "in the morning, and the queue stretched past the old customs house before noon.\n\n"
    "Admission stays free for children under twelve, the board said."
)

MUSEUM_DIGEST = (
    "Good news for rainy weekends in town.\n\n"
    "Curators spent the closure cataloguing more than two thousand objects, among them "
    "a brass telescope that once belonged to the harbour master who first mapped the "
    "sandbanks at the mouth of the river.\n\n"
    "Volunteers who had guided visitors for decades were back in the galleries by ten "
    "in the morning, and the queue stretched past the old customs house before noon.\n\n"
    "Sign up for the Metro Digest newsletter to get the best of the city in your inbox "
    "every Friday morning, free of charge and easy to cancel."
)

MUSEUM_SCRAPER = (
    "Museum news <script>window.__wiretrace_pwned = true;</script> <b>bold</b> "
    '<img src="x" onerror="window.__wiretrace_pwned = true">\n\n'
    "Curators spent the closure cataloguing more than two thousand objects, among them "
    "a brass telescope that belonged to the harbour master who first charted the "
    "sandbanks at the mouth of the river."
)

BRIDGE_TIMES = (
    "The council voted seven to two on Thursday to close the swing bridge to lorries "
    "while engineers inspect its rusted gears.\n\n"
    "“We cannot keep asking people to cross a bridge that we are not certain will "
    "open and close safely every single time a boat comes up the river,” the mayor "
    "said after the vote.\n\n"
    "Hauliers say the detour adds forty minutes to every delivery into the old town."
)

BRIDGE_HERALD = (
    "Lorry drivers will have to find another way into the old town from next week.\n\n"
    "“We cannot keep asking people to cross a bridge that we are not certain will "
    "open and close safely every single time a boat comes up the river,” the mayor "
    "told reporters on the steps of the town hall.\n\n"
    "Two councillors who voted against the closure said the inspection should have "
    "been done during the summer when traffic is lighter."
)

DIGEST_RATES = (
    "The city will raise parking charges in the centre by twenty pence an hour from "
    "April, the finance committee decided on Monday.\n\n"
    "Sign up for the Metro Digest newsletter to get the best of the city in your inbox "
    "every Friday morning, free of charge and easy to cancel."
)

DIGEST_PARKS = (
    "Three new playgrounds will open in the eastern parks before the summer holidays, "
    "with swings designed for children who use wheelchairs.\n\n"
    "Sign up for the Metro Digest newsletter to get the best of the city in your inbox "
    "every Friday morning, free of charge and easy to cancel."
)


def newsroom() -> list[dict[str, str]]:
    """The articles as API submissions, in the order they were published."""
    return [
        {
            "id": "ferry-wire",
            "outlet": "Wire Daily",
            "title": "Last ferry to the outer islands to stop",
            "url": "https://wiredaily.example/ferry",
            "published_at": "2026-03-02T06:00:00Z",
            "text": FERRY_WIRE,
        },
        {
            "id": "ferry-coast",
            "outlet": "Coast News",
            "title": "Islanders face life without a ferry",
            "url": "https://coastnews.example/islands/ferry",
            "published_at": "2026-03-02T09:30:00Z",
            "text": FERRY_COAST,
        },
        {
            "id": "museum-times",
            "outlet": "Harbour Times",
            "title": "Maritime museum reopens after restoration",
            "url": "https://harbourtimes.example/museum-reopens",
            "published_at": "2026-03-07T08:00:00Z",
            "text": MUSEUM_TIMES,
        },
        {
            "id": "museum-digest",
            "outlet": "Metro Digest",
            "title": "Museum is back",
            "url": "https://metrodigest.example/museum",
            "published_at": "2026-03-07T11:00:00Z",
            "text": MUSEUM_DIGEST,
        },
        {
            "id": "museum-scraper",
            "outlet": "Aggregator Hub",
            "title": "Museum <b>news</b> <script>window.__wiretrace_pwned = true;</script>",
            "url": "https://hub.example/m?x=<script>",
            "published_at": "2026-03-07T12:00:00Z",
            "text": MUSEUM_SCRAPER,
        },
        {
            "id": "bridge-times",
            "outlet": "Harbour Times",
            "title": "Swing bridge closed to lorries",
            "published_at": "2026-03-05T15:00:00Z",
            "text": BRIDGE_TIMES,
        },
        {
            "id": "bridge-herald",
            "outlet": "Valley Herald",
            "title": "Detour for lorries",
            "published_at": "2026-03-05T17:00:00Z",
            "text": BRIDGE_HERALD,
        },
        {
            "id": "digest-rates",
            "outlet": "Metro Digest",
            "title": "Parking to cost more",
            "published_at": "2026-03-03T10:00:00Z",
            "text": DIGEST_RATES,
        },
        {
            "id": "digest-parks",
            "outlet": "Metro Digest",
            "title": "New playgrounds",
            "published_at": "2026-03-04T10:00:00Z",
            "text": DIGEST_PARKS,
        },
    ]
