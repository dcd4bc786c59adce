"""The test table of the shapes: which fixture shows each shape holding, and which breaks it, how and where.

Fixtures are Turtle files under ``fixtures/{area}/valid/`` and ``fixtures/{area}/invalid/``; their instance
IRIs are relative to ``@base <https://w3id.org/coopgraph/id/>``, and so are the focus nodes below. Shapes are
named by their local name in ``coopsh:`` (https://w3id.org/coopgraph/shapes#).

- ``VALID``: each conforming fixture and the shapes it exercises (each has at least one focus node there,
  with a value on the shape's path; except a shape whose SPARQL target selects only the failing nodes); it
  must give no violation at all, and no result of any severity from the shapes it lists.
- ``INVALID``: each non-conforming fixture, the one shape it breaks, the expected
  ``sh:sourceConstraintComponent`` and focus node. It must give exactly that (shape, component, focus) from
  that shape and no other violation, except the ones listed in ``also`` (a case where one bad value
  necessarily breaks two constraints).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ID = "https://w3id.org/coopgraph/id/"


def _component(name: str) -> str:
    return f"sh:{name}ConstraintComponent"


MIN = _component("MinCount")
MAX = _component("MaxCount")
DATATYPE = _component("Datatype")
PATTERN = _component("Pattern")
CLASS = _component("Class")
NOT = _component("Not")
OR = _component("Or")
QMIN = _component("QualifiedMinCount")
DISJOINT = _component("Disjoint")
LTE = _component("LessThanOrEquals")
MININC = _component("MinInclusive")
UNIQUE_LANG = _component("UniqueLang")
SPARQL = "sh:SPARQLConstraintComponent"


@dataclass(frozen=True)
class Invalid:
    fixture: str
    shape: str
    component: str
    focus: str
    also: tuple[tuple[str, str], ...] = field(default=())


# fmt: off
VALID: dict[str, tuple[str, ...]] = {
    # actors
    "actors/valid/acteurs.ttl": (
        "ActeurShape", "Acteur-label", "Acteur-gouverne", "ActeurNonTerritoireShape",
        "SirenShape", "Siren-forme", "SirenCleShape", "Siren-cle",
    ),
    "actors/valid/acteurs-non-identifies.ttl": ("ActeursNonIdentifiesShape", "ActeursNonIdentifies-nombre"),
    "actors/valid/adhesion.ttl": (
        "AdhesionShape", "Adhesion-membre", "Adhesion-organisation", "MillesimeShape", "Millesime-annee",
    ),
    # territories
    "territories/valid/territoires.ttl": (
        "TerritoireShape", "Territoire-label", "Territoire-population",
        "TerritoireOfficielShape", "TerritoireOfficiel-codeInsee", "PopulationShape", "Population-renseignee",
        "CodeCommuneShape", "CodeCommune-codeInsee", "CodeDepartementShape", "CodeDepartement-codeInsee",
        "CodeRegionShape", "CodeRegion-codeInsee", "CodeArrondissementShape", "CodeArrondissement-codeInsee",
        "CodeEPCIShape", "CodeEPCI-codeInsee", "CodeCollectiviteOutreMerShape", "CodeCollectiviteOutreMer-codeInsee",
    ),
    # instruments
    "instruments/valid/convention-territoriale-globale.ttl": (
        "InstrumentShape", "Instrument-titre", "Instrument-periodeValidite", "Instrument-duree",
        "Instrument-signature", "Instrument-perimetre",
        "InstrumentCooperationShape", "InstrumentCooperation-parties",
        "ConventionTerritorialeGlobaleShape", "ConventionTerritorialeGlobale-signataireCAF",
        "IntervalleShape", "Intervalle-debut", "Intervalle-fin", "Intervalle-ordre",
        "SignatureShape", "Signature-pourLeCompteDe", "Signature-dateSignature",
        "Signature-dateSignatureManquante", "Signature-signataire",
    ),
    "instruments/valid/entente-interdepartementale.ttl": (
        "EntenteInterdepartementaleShape", "EntenteInterdepartementale-departements",
        "IntervalleShape", "Intervalle-debut", "Intervalle-fin", "Intervalle-ordre",
        "ActeJuridiqueShape", "ActeJuridique-label", "ActeJuridique-typeActe", "ActeJuridique-dateActe",
    ),
    "instruments/valid/structure.ttl": (
        "InstrumentShape", "Instrument-titre",
        "ElementStructureShape", "ElementStructure-label", "EnonceShape", "Enonce-label",
    ),
    # actions
    "actions/valid/action.ttl": (
        "ActionShape", "Action-label", "Action-instrument", "Action-rattacheA", "Action-chefDeFile",
        "Action-coPorteur", "Action-statut", "Action-anneeDemarrage", "ThemeShape", "Theme-concept",
    ),
    # participations, signatures, governance bodies
    "participation/valid/participations.ttl": (
        "ParticipationShape", "Participation-agent", "Participation-role", "Participation-cadre",
        "Participation-incertain",
    ),
    "participation/valid/signature.ttl": (
        "SignatureShape", "Signature-pourLeCompteDe", "Signature-dateSignature",
        "Signature-dateSignatureManquante", "Signature-signataire",
    ),
    "participation/valid/instance-gouvernance.ttl": (
        "InstanceGouvernanceShape", "InstanceGouvernance-label", "InstanceGouvernance-typeInstance",
        "InstanceGouvernance-reunionsParAnMin", "InstanceGouvernance-instrument",
    ),
    # provenance
    "provenance/valid/provenance.ttl": (
        "ProvenanceShape", "Provenance-source",
        "ExtraitShape", "Extrait-document", "Extrait-ligneDebut", "Extrait-ligneFin", "Extrait-ordre",
        "DocumentSourceShape", "DocumentSource-titre", "DocumentSource-typeDocument",
        "DocumentSource-typeDocumentManquant", "DocumentSource-empreinte",
    ),
    # labels
    "labels/valid/libelles.ttl": ("LibelleShape", "Libelle-francais", "Libelle-unParLangue"),
}
# fmt: on

_CC = "acteur/siren/200071553"
_CTG = "instrument/ctg-essai"
_CONV = "instrument/convention-essai"
_ACTION = "action/convention-essai/1"
_PART = "participation/convention-essai/1"
_SIG = "signature/convention-essai/caf"
_INST = "instance/convention-essai/comite-pilotage"
_EXT = "extrait/essai/L12-14"
_DOC = "document/essai"
_PERIODE = "periode/essai"
_LOI = "acte/loi-82-213"


def _case(area: str, name: str, shape: str, component: str, focus: str, **kw: tuple[tuple[str, str], ...]) -> Invalid:
    return Invalid(f"{area}/invalid/{name}.ttl", shape, component, focus, **kw)


# fmt: off
INVALID: list[Invalid] = [
    # actors
    _case("actors", "acteur-sans-libelle", "Acteur-label", MIN, _CC),
    _case("actors", "acteur-gouverne-acteur", "Acteur-gouverne", NOT, "acteur/departement/42"),
    _case("actors", "acteur-et-territoire", "ActeurNonTerritoireShape", NOT, "territoire/departement/42"),
    _case("actors", "siren-huit-chiffres", "Siren-forme", PATTERN, _CC),
    _case("actors", "siren-entier", "Siren-forme", DATATYPE, _CC),
    _case("actors", "siren-deux", "Siren-forme", MAX, _CC),
    _case("actors", "siren-cle-fausse", "Siren-cle", SPARQL, _CC),
    _case("actors", "non-identifies-nombre-decimal", "ActeursNonIdentifies-nombre", OR,
          "acteur/tridan/communautes-de-communes"),
    _case("actors", "non-identifies-nombre-negatif", "ActeursNonIdentifies-nombre", MININC,
          "acteur/tridan/communautes-de-communes"),
    _case("actors", "non-identifies-deux-nombres", "ActeursNonIdentifies-nombre", MAX,
          "acteur/tridan/communautes-de-communes"),
    _case("actors", "adhesion-sans-membre", "Adhesion-membre", MIN, "adhesion/inconnu/siren-200071553/2024"),
    _case("actors", "adhesion-deux-membres", "Adhesion-membre", MAX, "adhesion/commune-49007/siren-200071553/2024"),
    _case("actors", "adhesion-sans-organisation", "Adhesion-organisation", MIN, "adhesion/commune-49007/inconnu/2024"),
    _case("actors", "adhesion-deux-organisations", "Adhesion-organisation", MAX,
          "adhesion/commune-49007/siren-200071553/2024"),
    _case("actors", "millesime-chaine", "Millesime-annee", DATATYPE, "adhesion/commune-49007/siren-200071553/2024"),
    _case("actors", "millesime-deux-chiffres", "Millesime-annee", PATTERN,
          "adhesion/commune-49007/siren-200071553/2024"),
    # territories
    _case("territories", "territoire-sans-libelle", "Territoire-label", MIN, "territoire/projet/sans-nom"),
    _case("territories", "territoire-population-texte", "Territoire-population", DATATYPE, "territoire/commune/49007"),
    _case("territories", "territoire-sans-code", "TerritoireOfficiel-codeInsee", MIN, "territoire/commune/49007"),
    _case("territories", "territoire-deux-codes", "TerritoireOfficiel-codeInsee", MAX, "territoire/departement/42"),
    _case("territories", "territoire-code-entier", "TerritoireOfficiel-codeInsee", DATATYPE, "territoire/departement/42"),
    _case("territories", "territoire-sans-population", "Population-renseignee", MIN, "territoire/commune/49007"),
    _case("territories", "code-commune-quatre-chiffres", "CodeCommune-codeInsee", PATTERN, "territoire/commune/01001"),
    _case("territories", "code-departement-20", "CodeDepartement-codeInsee", PATTERN, "territoire/departement/20"),
    _case("territories", "code-region-trois-chiffres", "CodeRegion-codeInsee", PATTERN, "territoire/region/840"),
    _case("territories", "code-arrondissement-departement", "CodeArrondissement-codeInsee", PATTERN,
          "territoire/arrondissement/42"),
    _case("territories", "code-collectivite-outre-mer", "CodeCollectiviteOutreMer-codeInsee", PATTERN,
          "territoire/collectivite-outre-mer/987"),
    _case("territories", "code-epci-huit-chiffres", "CodeEPCI-codeInsee", PATTERN, "territoire/epci/200071553"),
    # instruments
    _case("instruments", "instrument-sans-titre", "Instrument-titre", MIN, _CONV),
    _case("instruments", "instrument-deux-periodes", "Instrument-periodeValidite", MAX, _CONV),
    _case("instruments", "instrument-periode-non-typee", "Instrument-periodeValidite", CLASS, _CONV),
    _case("instruments", "instrument-duree-texte", "Instrument-duree", DATATYPE, _CONV),
    _case("instruments", "instrument-deux-durees", "Instrument-duree", MAX, _CONV),
    _case("instruments", "instrument-signature-non-typee", "Instrument-signature", CLASS, _CONV),
    _case("instruments", "instrument-perimetre-acteur", "Instrument-perimetre", NOT, _CONV),
    _case("instruments", "cooperation-une-partie", "InstrumentCooperation-parties", MIN, "instrument/entente-essai"),
    _case("instruments", "ctg-sans-caf", "ConventionTerritorialeGlobale-signataireCAF", QMIN, _CTG),
    _case("instruments", "entente-un-departement", "EntenteInterdepartementale-departements", QMIN,
          "instrument/entente-essai"),
    _case("instruments", "entente-territoires", "EntenteInterdepartementale-departements", QMIN,
          "instrument/entente-essai"),
    _case("instruments", "intervalle-deux-debuts", "Intervalle-debut", MAX, _PERIODE),
    _case("instruments", "intervalle-debut-texte", "Intervalle-debut", OR, _PERIODE),
    _case("instruments", "intervalle-deux-fins", "Intervalle-fin", MAX, _PERIODE),
    _case("instruments", "intervalle-fin-mois", "Intervalle-fin", OR, _PERIODE),
    _case("instruments", "intervalle-fin-avant-debut", "Intervalle-ordre", LTE, _PERIODE),
    _case("instruments", "axe-sans-libelle", "ElementStructure-label", MIN, "axe/agenda21-essai/5"),
    _case("instruments", "enonce-sans-libelle", "Enonce-label", MIN, "enonce/agenda21-essai/principe-1"),
    _case("instruments", "acte-sans-libelle", "ActeJuridique-label", MIN, _LOI),
    _case("instruments", "acte-type-hors-schema", "ActeJuridique-typeActe", PATTERN, "acte/convention-essai"),
    _case("instruments", "acte-type-inconnu", "ActeJuridique-typeActe", CLASS, _LOI),
    _case("instruments", "acte-deux-types", "ActeJuridique-typeActe", MAX, _LOI),
    _case("instruments", "acte-date-annee", "ActeJuridique-dateActe", DATATYPE, _LOI),
    _case("instruments", "acte-deux-dates", "ActeJuridique-dateActe", MAX, _LOI),
    # actions
    _case("actions", "action-sans-libelle", "Action-label", MIN, _ACTION),
    _case("actions", "action-sans-instrument", "Action-instrument", MIN, _ACTION),
    _case("actions", "action-deux-instruments", "Action-instrument", MAX, _ACTION),
    _case("actions", "action-instrument-axe", "Action-instrument", CLASS, _ACTION),
    _case("actions", "action-rattachee-instrument", "Action-rattacheA", CLASS, _ACTION),
    _case("actions", "action-deux-chefs-de-file", "Action-chefDeFile", MAX, _ACTION),
    _case("actions", "action-chef-de-file-co-porteur", "Action-coPorteur", DISJOINT, _ACTION),
    _case("actions", "action-deux-statuts", "Action-statut", MAX, _ACTION),
    _case("actions", "action-statut-hors-schema", "Action-statut", PATTERN, _ACTION),
    _case("actions", "action-statut-inconnu", "Action-statut", CLASS, _ACTION),
    _case("actions", "action-statut-texte", "Action-statut", PATTERN, _ACTION, also=(("Action-statut", CLASS),)),
    _case("actions", "action-annee-entier", "Action-anneeDemarrage", DATATYPE, _ACTION),
    _case("actions", "action-annee-deux-chiffres", "Action-anneeDemarrage", PATTERN, _ACTION),
    _case("actions", "action-deux-annees", "Action-anneeDemarrage", MAX, _ACTION),
    _case("actions", "theme-hors-schema", "Theme-concept", PATTERN, _ACTION),
    _case("actions", "theme-inconnu", "Theme-concept", CLASS, _ACTION),
    # participations
    _case("participation", "participation-sans-agent", "Participation-agent", MIN, _PART),
    _case("participation", "participation-deux-agents", "Participation-agent", MAX, _PART),
    _case("participation", "participation-sans-role", "Participation-role", MIN, _PART),
    _case("participation", "participation-deux-roles", "Participation-role", MAX, _PART),
    _case("participation", "participation-role-hors-schema", "Participation-role", PATTERN, _PART),
    _case("participation", "participation-role-inconnu", "Participation-role", CLASS, _PART),
    _case("participation", "participation-sans-cadre", "Participation-cadre", MIN, _PART),
    _case("participation", "participation-deux-cadres", "Participation-cadre", MAX, _PART),
    _case("participation", "participation-cadre-acteur", "Participation-cadre", OR, _PART),
    _case("participation", "participation-incertain-texte", "Participation-incertain", DATATYPE, _PART),
    _case("participation", "participation-incertain-deux", "Participation-incertain", MAX, _PART),
    # signatures
    _case("participation", "signature-sans-compte", "Signature-pourLeCompteDe", MIN, _SIG),
    _case("participation", "signature-deux-comptes", "Signature-pourLeCompteDe", MAX, _SIG),
    _case("participation", "signature-date-texte", "Signature-dateSignature", DATATYPE, _SIG),
    _case("participation", "signature-deux-dates", "Signature-dateSignature", MAX, _SIG),
    _case("participation", "signature-sans-date", "Signature-dateSignatureManquante", MIN, _SIG),
    _case("participation", "signature-signataire-organisation", "Signature-signataire", CLASS, _SIG),
    # governance bodies
    _case("participation", "instance-sans-libelle", "InstanceGouvernance-label", MIN, _INST),
    _case("participation", "instance-type-hors-schema", "InstanceGouvernance-typeInstance", PATTERN, _INST),
    _case("participation", "instance-type-inconnu", "InstanceGouvernance-typeInstance", CLASS, _INST),
    _case("participation", "instance-deux-types", "InstanceGouvernance-typeInstance", MAX, _INST),
    _case("participation", "instance-reunions-decimal", "InstanceGouvernance-reunionsParAnMin", OR, _INST),
    _case("participation", "instance-reunions-negatif", "InstanceGouvernance-reunionsParAnMin", MININC, _INST),
    _case("participation", "instance-reunions-deux", "InstanceGouvernance-reunionsParAnMin", MAX, _INST),
    _case("participation", "instance-orpheline", "InstanceGouvernance-instrument", MIN, _INST),
    # provenance: one fact of each fact-bearing class without its source
    _case("provenance", "sans-source-instrument", "Provenance-source", MIN, _CONV),
    _case("provenance", "sans-source-axe", "Provenance-source", MIN, "axe/convention-essai/1"),
    _case("provenance", "sans-source-action", "Provenance-source", MIN, _ACTION),
    _case("provenance", "sans-source-enonce", "Provenance-source", MIN, "enonce/convention-essai/enjeu-1"),
    _case("provenance", "sans-source-participation", "Provenance-source", MIN, _PART),
    _case("provenance", "sans-source-signature", "Provenance-source", MIN, _SIG),
    _case("provenance", "sans-source-instance", "Provenance-source", MIN, "instance/convention-essai/comite-technique"),
    _case("provenance", "sans-source-acte", "Provenance-source", MIN, _LOI),
    # excerpts
    _case("provenance", "extrait-sans-document", "Extrait-document", MIN, _EXT),
    _case("provenance", "extrait-deux-documents", "Extrait-document", MAX, _EXT),
    _case("provenance", "extrait-document-non-type", "Extrait-document", CLASS, _EXT),
    _case("provenance", "extrait-sans-debut", "Extrait-ligneDebut", MIN, _EXT),
    _case("provenance", "extrait-deux-debuts", "Extrait-ligneDebut", MAX, _EXT),
    _case("provenance", "extrait-debut-decimal", "Extrait-ligneDebut", OR, _EXT),
    _case("provenance", "extrait-debut-zero", "Extrait-ligneDebut", MININC, _EXT),
    _case("provenance", "extrait-sans-fin", "Extrait-ligneFin", MIN, _EXT),
    _case("provenance", "extrait-deux-fins", "Extrait-ligneFin", MAX, _EXT),
    _case("provenance", "extrait-fin-decimal", "Extrait-ligneFin", OR, _EXT),
    _case("provenance", "extrait-fin-negative", "Extrait-ligneFin", MININC, _EXT, also=(("Extrait-ordre", LTE),)),
    _case("provenance", "extrait-fin-avant-debut", "Extrait-ordre", LTE, _EXT),
    # source documents
    _case("provenance", "document-sans-titre", "DocumentSource-titre", MIN, _DOC),
    _case("provenance", "document-type-hors-schema", "DocumentSource-typeDocument", PATTERN, _DOC),
    _case("provenance", "document-type-inconnu", "DocumentSource-typeDocument", CLASS, _DOC),
    _case("provenance", "document-deux-types", "DocumentSource-typeDocument", MAX, _DOC),
    _case("provenance", "document-sans-type", "DocumentSource-typeDocumentManquant", MIN, _DOC),
    _case("provenance", "document-empreinte-majuscules", "DocumentSource-empreinte", PATTERN, _DOC),
    _case("provenance", "document-empreinte-deux", "DocumentSource-empreinte", MAX, _DOC),
    _case("provenance", "document-empreinte-hexbinary", "DocumentSource-empreinte", DATATYPE, _DOC),
    # labels
    _case("labels", "libelle-anglais-seul", "Libelle-francais", QMIN, _CC),
    _case("labels", "libelle-sans-langue", "Libelle-francais", QMIN, _CC),
    _case("labels", "libelle-deux-francais", "Libelle-unParLangue", UNIQUE_LANG, _CC),
]
# fmt: on
