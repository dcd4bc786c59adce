"""Role weights: how much a role commits an agent to the frame (instrument, action, body) it plays it in.

The cooperation graph needs a number for "how strongly do these two actors cooperate in this frame?". It is read
from the roles the two actors play there, never from the mere fact of being listed side by side:

- each agent gets a **strength** in a frame: the weight of the strongest role it plays there (being partie *and*
  signataire of a convention counts once, not twice), halved when the document itself doubts the participation
  (``coop:incertain``, "ARS ?");
- a pair of agents gets ``strength(a) × strength(b)`` in that frame. The product makes a tie as strong as both its
  ends: two parties bound by an entente get 1, a chef de file and a co-porteur of an action 0.75, two partners a
  brochure lists in one sentence only 0.25 — listed together is not working together;
- the frames a pair shares are summed: every shared action is one more piece of joint work. Optionally (Newman's
  collaboration weighting) a frame with ``n`` participants divides each pair by ``n − 1``, so that a frame with
  fifty parties does not outweigh fifty bilateral actions.

The scale, and why:

=========================  ======  ==========================================================================
group                      weight  roles
=========================  ======  ==========================================================================
party / lead               1.0     partie, signataire, chef-de-file, chef-de-file-conjoint, pilote, porteur,
                                   maitre-ouvrage — the agent is bound by the frame or answers for it
committed contribution     0.75    co-porteur, copilote, financeur, prescripteur, president-instance,
                                   copresident-instance — brings resources or steers, without the main
                                   responsibility
association                0.5     partenaire, membre-instance, animateur, maitre-oeuvre — takes part, is
                                   consulted, runs or executes
periphery                  0.25    invite-instance, beneficiaire — present or served, not committed
=========================  ======  ==========================================================================

A role outside the vocabulary gets :data:`UNKNOWN_ROLE_WEIGHT`. Pass your own mapping to the graph builders to test
another scale: every analysis reads the weights from the graph, never from this module.
"""

from __future__ import annotations

from collections.abc import Mapping

ROLE_BASE = "https://w3id.org/coopgraph/vocab/role/"

#: role slug → (weight, group)
ROLES: dict[str, tuple[float, str]] = {
    "partie": (1.0, "party"),
    "signataire": (1.0, "party"),
    "chef-de-file": (1.0, "lead"),
    "chef-de-file-conjoint": (1.0, "lead"),
    "pilote": (1.0, "lead"),
    "porteur": (1.0, "lead"),
    "maitre-ouvrage": (1.0, "lead"),
    "co-porteur": (0.75, "co-lead"),
    "copilote": (0.75, "co-lead"),
    "financeur": (0.75, "co-lead"),
    "prescripteur": (0.75, "co-lead"),
    "president-instance": (0.75, "governance"),
    "copresident-instance": (0.75, "governance"),
    "partenaire": (0.5, "associate"),
    "membre-instance": (0.5, "governance"),
    "animateur": (0.5, "associate"),
    "maitre-oeuvre": (0.5, "associate"),
    "invite-instance": (0.25, "governance"),
    "beneficiaire": (0.25, "associate"),
}

#: role slug → weight (what the graph builders use by default)
ROLE_WEIGHTS: dict[str, float] = {slug: weight for slug, (weight, _) in ROLES.items()}

#: the group of each role, for "who leads, who follows" tables
ROLE_GROUPS: dict[str, str] = {slug: group for slug, (_, group) in ROLES.items()}

#: groups in the order tables show them
GROUP_ORDER = ("party", "lead", "co-lead", "associate", "governance", "other")

UNKNOWN_ROLE_WEIGHT = 0.5
UNCERTAIN_FACTOR = 0.5


def role_slug(role: str) -> str:
    """``https://w3id.org/coopgraph/vocab/role/co-porteur`` → ``co-porteur`` (other IRIs are returned whole)."""
    return role[len(ROLE_BASE):] if role.startswith(ROLE_BASE) else role


def role_weight(role: str, uncertain: bool = False, weights: Mapping[str, float] | None = None) -> float:
    """The strength a role gives its agent in a frame (see the module documentation)."""
    table = ROLE_WEIGHTS if weights is None else weights
    weight = float(table.get(role_slug(role), UNKNOWN_ROLE_WEIGHT))
    return weight * UNCERTAIN_FACTOR if uncertain else weight


def role_group(role: str) -> str:
    return ROLE_GROUPS.get(role_slug(role), "other")
