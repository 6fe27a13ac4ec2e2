"""The automatic combine: find customers who may be one person with the person-matching engine (decision 0009), and
the review queue of those pairs (merge, add as family member, not a duplicate).

`find_duplicates` encodes every customer of the business who is a person and not merged (current and earlier names,
date of birth, SSN, licences, phones, emails, addresses, employers), blocks them in an in-memory `Index` and compares
each pair that shares a blocking key. A pair at or above POSSIBLE becomes a candidate; a pair the engine keeps apart
as household look-alikes (it discounted what they share) but that lives at one address is offered as a family
member instead. The key is derived per business from SECRET_KEY and never stored: the encodings live only for the
run. A decided pair is never proposed again; a pending one gets its score and reasons refreshed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tabwise import matching
from tabwise.cleanup.candidates import DuplicateCandidate
from tabwise.core import audit, tenancy
from tabwise.core.errors import DomainError
from tabwise.core.http import AuthenticatedHttpRequest
from tabwise.core.schedule import daily
from tabwise.core.tasks import business_task, enqueue_on_commit
from tabwise.customers import selectors as customer_selectors
from tabwise.customers import services as customer_services
from tabwise.customers.models import Customer
from tabwise.users import security
from tabwise.users.models import User
from tabwise.users.security import requires

FUNCTION = "cleanup.combine_customers"
Status = DuplicateCandidate.Status


def matching_key(business_id: int) -> bytes:
    """The business's matching key for duplicate detection: derived, never stored (encodings live for one run)."""
    return hmac.digest(settings.SECRET_KEY.encode(), f"tabwise/duplicates/{business_id}".encode(), hashlib.sha256)


def _people() -> QuerySet[Customer]:
    return (
        Customer.objects.filter(kind=Customer.Kind.PERSON)
        .exclude(status=Customer.Status.MERGED)
        .prefetch_related(*customer_selectors.IDENTITY_PREFETCH)
        .order_by("pk")
    )


def record_of(customer: Customer) -> matching.PersonRecord:
    """The customer as the matching engine's input, from its prefetched rows (see `_people`)."""
    return customer_selectors.identity_of(customer).as_record()


def _reasons(result: matching.MatchResult) -> dict[str, object]:
    """What the queue shows: the engine's words, built from evidence kinds only (never either customer's data)."""
    return {
        "agreed": sorted(result.agreed),
        "disagreed": sorted(result.disagreed),
        "discounted": list(result.discounted),
        "levels": result.reasons,
        "explanation": result.explanation,
    }


def _strength(result: matching.MatchResult) -> str | None:
    if result.band == matching.BAND_STRONG:
        return DuplicateCandidate.Strength.STRONG
    if result.band == matching.BAND_POSSIBLE:
        return DuplicateCandidate.Strength.POSSIBLE
    # A household look-alike at one address who shares the surname or the phone: maybe a family member.
    if "address" in result.discounted and ("name" in result.discounted or "phone" in result.discounted):
        return DuplicateCandidate.Strength.HOUSEHOLD
    return None


@dataclass(frozen=True)
class Found:
    compared: int
    proposed: int  # new candidates
    refreshed: int  # pending candidates scored again


def score_pairs(customers: Iterable[Customer], *, key: bytes) -> list[tuple[int, int, matching.MatchResult]]:
    """(lower id, higher id, result) for every pair the blocking keys bring together and the engine scores as
    a duplicate or a household at one address."""
    index = matching.Index()
    encoded: list[tuple[int, matching.PersonFeatures]] = []
    for customer in customers:
        features = matching.encode(record_of(customer), key)
        encoded.append((customer.pk, features))
        index.add(customer.pk, features)
    pairs = []
    for pk, features in encoded:
        for other_pk, other in index.candidates(features):
            if not isinstance(other_pk, int) or other_pk <= pk:
                continue
            result = matching.compare(features, other)
            if _strength(result) is not None:
                pairs.append((pk, other_pk, result))
    return pairs


def find_duplicates(*, actor: User | None = None) -> Found:
    """Score the business's customers and file new candidate pairs (and rescore pending ones). Atomic; writes
    DUPLICATES_FOUND. `actor` None: run by the system (the task)."""
    if actor is not None:
        security.check(actor, FUNCTION)
    business = tenancy.current_business()
    if business is None:
        raise tenancy.NoBusinessInScope("find_duplicates needs a business in scope")
    people = list(_people())
    pairs = score_pairs(people, key=matching_key(business.pk))
    proposed = refreshed = 0
    with transaction.atomic():
        existing = {(c.first_id, c.second_id): c for c in DuplicateCandidate.objects.select_for_update()}
        for first, second, result in pairs:
            strength = _strength(result) or DuplicateCandidate.Strength.POSSIBLE  # score_pairs kept only those with one
            score = Decimal(str(round(result.score, 2)))
            candidate = existing.get((first, second))
            if candidate is None:
                DuplicateCandidate.objects.create(
                    first_id=first, second_id=second, score=score, strength=strength, reasons=_reasons(result)
                )
                proposed += 1
            elif candidate.status == Status.PENDING:
                candidate.score, candidate.strength, candidate.reasons = score, strength, _reasons(result)
                candidate.save(update_fields=["score", "strength", "reasons"])
                refreshed += 1
        audit.record_event(
            event_type="DUPLICATES_FOUND",
            payload={"customers": len(people), "proposed": proposed, "refreshed": refreshed},
        )
    return Found(compared=len(people), proposed=proposed, refreshed=refreshed)


@daily(hour=2)
@business_task()
def find_duplicates_task(*, run_on: str = "") -> int:
    """The background run of `find_duplicates`, nightly and on request (safe to run twice: a pair is filed once);
    returns the new pairs."""
    return find_duplicates().proposed


def request_find_duplicates(*, actor: User) -> None:
    """Queue a run of `find_duplicates` for the actor's business (after commit)."""
    security.check(actor, FUNCTION)
    enqueue_on_commit(find_duplicates_task, business_id=actor.business_id)


# --- the queue ----------------------------------------------------------------------------------------------------


def queue(*, strength: str = "") -> QuerySet[DuplicateCandidate]:
    """The pending pairs whose customers both still exist unmerged, best first (duplicates before households)."""
    pending = (
        DuplicateCandidate.objects.filter(status=Status.PENDING)
        .exclude(first__status=Customer.Status.MERGED)
        .exclude(second__status=Customer.Status.MERGED)
    )
    if strength:
        pending = pending.filter(strength=strength)
    return pending.select_related("first", "second").order_by("-score", "id")


def _decide(actor: User, candidate: DuplicateCandidate, status: str) -> DuplicateCandidate:
    candidate.status = status
    candidate.reviewed_by = actor
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record_event(
        event_type="DUPLICATE_REVIEWED",
        subject=candidate,
        payload={"first": candidate.first_id, "second": candidate.second_id, "status": status},
    )
    return candidate


def _locked_pending(candidate: DuplicateCandidate) -> DuplicateCandidate:
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != Status.PENDING:
        raise DomainError(_("This pair was reviewed already."), field="candidate")
    return locked


def mark_not_duplicate(*, actor: User, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Remember that the two are different people: the pair is never proposed again. Atomic; DUPLICATE_REVIEWED."""
    security.check(actor, FUNCTION)
    with transaction.atomic():
        return _decide(actor, _locked_pending(candidate), Status.NOT_DUPLICATE)


def add_as_family(*, actor: User, candidate: DuplicateCandidate, main_id: int, relationship: str) -> DuplicateCandidate:
    """Link the pair as a family (`main_id`: which of the two is the main customer) instead of combining them.

    Atomic with the family link (customers.add_family_member: its DomainErrors name `main`, `member` or
    `relationship`); writes DUPLICATE_REVIEWED.
    """
    security.check(actor, FUNCTION)
    with transaction.atomic():
        locked = _locked_pending(candidate)
        if main_id not in (locked.first_id, locked.second_id):
            raise DomainError(_("Choose one of the two as the main customer."), field="main")
        main, member = (locked.first, locked.second) if main_id == locked.first_id else (locked.second, locked.first)
        customer_services.add_family_member(actor=actor, main=main, member=member, relationship=relationship)
        return _decide(actor, locked, Status.FAMILY)


def mark_combined(*, actor: User, survivor_id: int, merged_away_id: int) -> list[int]:
    """Close the pending pair of these two customers as combined (inside the combine's transaction); the ids closed,
    for the combine's undo."""
    first, second = sorted([survivor_id, merged_away_id])
    closed = []
    for candidate in DuplicateCandidate.objects.select_for_update().filter(
        first_id=first, second_id=second, status=Status.PENDING
    ):
        closed.append(_decide(actor, candidate, Status.MERGED).pk)
    return closed


def reopen(candidate_ids: Iterable[int]) -> None:
    """Back to pending (a combine was undone)."""
    DuplicateCandidate.objects.filter(pk__in=list(candidate_ids)).update(
        status=Status.PENDING, reviewed_by=None, reviewed_at=None
    )


# --- the review queue's pages (mounted in cleanup/urls.py) ---------------------------------------------------------

PAGE_SIZE = 25


class FamilyForm(forms.Form):
    main_id = forms.IntegerField(label=gettext_lazy("Main customer"))
    relationship = forms.ChoiceField(
        label=gettext_lazy("The other is the main customer's"), choices=Customer.Relationship.choices
    )


def _candidate(candidate_id: int) -> DuplicateCandidate:
    candidate = DuplicateCandidate.objects.filter(pk=candidate_id).select_related("first", "second").first()
    if candidate is None:
        raise Http404("No such pair.")
    return candidate


@requires(FUNCTION)
@require_GET
def queue_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The pairs to review, best first, each side by side with the reasons and the three actions."""
    strength = request.GET.get("strength", "")
    if strength not in DuplicateCandidate.Strength.values:
        strength = ""
    page = Paginator(queue(strength=strength), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "strength": strength,
        "strengths": DuplicateCandidate.Strength.choices,
        "relationships": Customer.Relationship.choices,
    }
    return render(request, "cleanup/combine/duplicate_queue.html", context)


@requires(FUNCTION)
@require_POST
def find_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Look for duplicates again, in the background."""
    request_find_duplicates(actor=request.user)
    messages.info(request, _("Looking for duplicates: new pairs appear here when it is done."))
    return redirect("cleanup:duplicates")


@requires(FUNCTION)
@require_POST
def not_duplicate_view(request: AuthenticatedHttpRequest, candidate_id: int) -> HttpResponse:
    """Not a duplicate: remembered, never proposed again."""
    try:
        mark_not_duplicate(actor=request.user, candidate=_candidate(candidate_id))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as not a duplicate: this pair will not be proposed again."))
    return redirect("cleanup:duplicates")


@requires(FUNCTION)
@require_POST
def family_view(request: AuthenticatedHttpRequest, candidate_id: int) -> HttpResponse:
    """Add as family member: the chosen main customer and how the other is related to them."""
    candidate = _candidate(candidate_id)
    form = FamilyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the main customer and the relationship."))
        return redirect("cleanup:duplicates")
    try:
        add_as_family(
            actor=request.user,
            candidate=candidate,
            main_id=form.cleaned_data["main_id"],
            relationship=form.cleaned_data["relationship"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Added as a family member."))
    return redirect("cleanup:duplicates")
