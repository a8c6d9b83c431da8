"""The readable source of the IO Survey XLSForm (``src/iocompendium/data/io_survey.xlsx``).

The secretariat authors forms in a spreadsheet; this module is the project's own copy
of the IO Survey written as Python so that changes are reviewable line by line. Run

    python -m iocompendium.questionnaires.io_survey_source

to regenerate the shipped .xlsx (the .xlsx is what ships and what the demo imports).
The wording is the project's own. Sections: A (the organisation), then the five themes
of the IO Partnership: variety of instruments, implementation, evaluation, stakeholder
engagement, co-ordination. Names that other parts of the system rely on are listed in
the project's contracts (``organisation/category``, ``variety/instruments``,
``stakeholders_section/stakeholders``, ...); keep them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .structure import Node, Structure

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "io_survey.xlsx"
FORM_VERSION = "2026113017"

# Reusable expressions.
NONE_EXCLUSIVE = "not(selected(., 'none') and count-selected(.) > 1)"
NONE_EXCLUSIVE_MESSAGE = ("'None' cannot be combined with other answers.",
                          "« Aucun » ne peut pas être combiné avec d'autres réponses.")
NOT_NEGATIVE = ". >= 0"
YEAR_RANGE = ". >= 1800 and . <= 2026"
YEAR_MESSAGE = ("Enter a year between 1800 and 2026.", "Indiquez une année entre 1800 et 2026.")
REQUIRED_MESSAGE = ("Please answer this question.", "Veuillez répondre à cette question.")


def _texts(pair: tuple[str, str] | None) -> dict[str, str]:
    return {"en": pair[0], "fr": pair[1]} if pair else {}


def q(kind: str, name: str, en: str, fr: str, **options: Any) -> Node:
    """A question. ``options``: choices=list name, hint=(en, fr), relevant, required
    (True -> "yes"), constraint + message=(en, fr), calculation, default, or_other,
    soft_constraint + soft_message=(en, fr), appearance, read_only."""
    required = options.get("required", False)
    node: Node = {
        "type": kind, "name": name, "row": 0,
        "label": {"en": en, "fr": fr} if en or fr else {},
        "hint": _texts(options.get("hint")),
        "relevant": options.get("relevant", ""),
        "required": "yes" if required else "",
        "required_message": _texts(REQUIRED_MESSAGE) if required else {},
        "constraint": options.get("constraint", ""),
        "constraint_message": _texts(options.get("message")),
        "soft_constraint": options.get("soft_constraint", ""),
        "soft_constraint_message": _texts(options.get("soft_message")),
        "calculation": options.get("calculation", ""),
        "default": options.get("default", ""),
        "read_only": options.get("read_only", ""),
        "choice_list": options.get("choices", ""),
        "choice_filter": "",
        "or_other": options.get("or_other", False),
        "appearance": options.get("appearance", ""),
        "repeat_count": "",
        "parameters": {},
    }
    return node


def container(kind: str, name: str, en: str, fr: str, children: list[Node],
              **options: Any) -> Node:
    node = q(kind, name, en, fr, **options)
    node["children"] = children
    return node


def group(name: str, en: str, fr: str, children: list[Node], **options: Any) -> Node:
    return container("group", name, en, fr, children, **options)


def select_one(name: str, choices: str, en: str, fr: str, **options: Any) -> Node:
    return q("select_one", name, en, fr, choices=choices, **options)


def select_multiple(name: str, choices: str, en: str, fr: str, **options: Any) -> Node:
    return q("select_multiple", name, en, fr, choices=choices, **options)


def text(name: str, en: str, fr: str, **options: Any) -> Node:
    return q("text", name, en, fr, **options)


def integer(name: str, en: str, fr: str, **options: Any) -> Node:
    options.setdefault("constraint", NOT_NEGATIVE)
    options.setdefault("message", ("The number cannot be negative.",
                                   "Le nombre ne peut pas être négatif."))
    return q("integer", name, en, fr, **options)


def note(name: str, en: str, fr: str, **options: Any) -> Node:
    return q("note", name, en, fr, **options)


def other_text(name: str, of: str) -> Node:
    """The "please specify" text after a question with an ``other`` choice."""
    return text(name, "Please specify the other answer.", "Veuillez préciser l'autre réponse.",
                relevant=f"selected(${{{of}}}, 'other')")


def examples(name: str, en: str, fr: str) -> Node:
    return text(name, en, fr, appearance="multiline",
                hint=("Describe one or two practices: what is done, by whom, since when.",
                      "Décrivez une ou deux pratiques : ce qui est fait, par qui, depuis quand."))


def comments(name: str) -> Node:
    return text(name, "Any comments on this section?", "Des commentaires sur cette section ?",
                appearance="multiline")


def choices(*items: tuple[str, str, str]) -> list[dict]:
    return [{"name": name, "label": {"en": en, "fr": fr}, "extra": {}} for name, en, fr in items]


YES_NO = choices(("yes", "Yes", "Oui"), ("no", "No", "Non"))

CHOICES: dict[str, list[dict]] = {
    "yes_no": YES_NO,
    "yes_partly_no": choices(("yes", "Yes", "Oui"), ("partly", "Partly", "En partie"),
                             ("no", "No", "Non")),
    "category": choices(
        ("igo", "Intergovernmental organisation", "Organisation intergouvernementale"),
        ("tgn", "Transgovernmental network", "Réseau transgouvernemental"),
        ("private", "Private standard setter", "Organisme privé de normalisation"),
        ("convention", "Convention secretariat", "Secrétariat de convention"),
        ("supranational", "Supranational organisation", "Organisation supranationale"),
        ("other", "Other", "Autre"),
    ),
    "membership_scope": choices(
        ("universal", "Open to all countries", "Ouverte à tous les pays"),
        ("regional", "Regional", "Régionale"),
        ("like_minded", "A group of like-minded countries or bodies",
         "Un groupe de pays ou d'organismes partageant les mêmes vues"),
        ("other", "Other", "Autre"),
    ),
    "member_types": choices(
        ("states", "States (governments)", "États (gouvernements)"),
        ("regulators", "Regulatory agencies", "Autorités de régulation"),
        ("standards_bodies", "National standards bodies", "Organismes nationaux de normalisation"),
        ("professional_bodies", "Professional bodies", "Organisations professionnelles"),
        ("firms", "Companies", "Entreprises"),
        ("other_ios", "Other international organisations", "Autres organisations internationales"),
        ("individuals", "Individual experts", "Experts à titre individuel"),
        ("other", "Other", "Autre"),
    ),
    "budget_band": choices(
        ("under_1m", "Less than EUR 1 million", "Moins de 1 million d'euros"),
        ("1m_10m", "EUR 1 to 10 million", "De 1 à 10 millions d'euros"),
        ("10m_100m", "EUR 10 to 100 million", "De 10 à 100 millions d'euros"),
        ("over_100m", "More than EUR 100 million", "Plus de 100 millions d'euros"),
        ("prefer_not_answer", "Prefer not to answer", "Préfère ne pas répondre"),
    ),
    "mandate": choices(
        ("legal_instruments", "Developing legal instruments",
         "Élaborer des instruments juridiques"),
        ("standards", "Developing technical standards", "Élaborer des normes techniques"),
        ("policy_dialogue", "Policy dialogue among members", "Dialogue politique entre membres"),
        ("data", "Collecting and analysing data", "Collecter et analyser des données"),
        ("information_exchange", "Exchanging information", "Échanger des informations"),
        ("peer_review", "Peer reviews", "Examens par les pairs"),
        ("assistance", "Technical assistance", "Assistance technique"),
        ("dispute_settlement", "Settling disputes", "Règlement des différends"),
        ("other", "Other", "Autre"),
    ),
    "sectors": choices(
        ("trade", "Trade and customs", "Commerce et douanes"),
        ("finance", "Finance and accounting", "Finance et comptabilité"),
        ("environment", "Environment and climate", "Environnement et climat"),
        ("health", "Health", "Santé"),
        ("food_agriculture", "Food and agriculture", "Alimentation et agriculture"),
        ("transport", "Transport", "Transports"),
        ("energy", "Energy", "Énergie"),
        ("labour", "Labour and social affairs", "Travail et affaires sociales"),
        ("metrology", "Metrology, standards and accreditation",
         "Métrologie, normalisation et accréditation"),
        ("tax", "Taxation", "Fiscalité"),
        ("other", "Other", "Autre"),
    ),
    "instrument_families": choices(
        ("treaties", "Treaties, conventions, protocols", "Traités, conventions, protocoles"),
        ("binding_decisions", "Legally binding decisions",
         "Décisions juridiquement contraignantes"),
        ("recommendations", "Recommendations or non-binding resolutions",
         "Recommandations ou résolutions non contraignantes"),
        ("declarations", "Declarations", "Déclarations"),
        ("standards", "Technical standards", "Normes techniques"),
        ("model_laws", "Model laws or model treaties", "Lois types ou traités types"),
        ("guidance", "Guidelines, guidance, principles", "Lignes directrices, guides, principes"),
        ("mras", "Mutual recognition arrangements", "Accords de reconnaissance mutuelle"),
        ("mous", "Memoranda of understanding", "Protocoles d'accord"),
        ("other", "Other", "Autre"),
    ),
    "share": choices(
        ("none", "None", "Aucun"),
        ("few", "A few", "Quelques-uns"),
        ("about_half", "About half", "Environ la moitié"),
        ("most", "Most", "La plupart"),
        ("all", "All", "Tous"),
        ("dont_know", "Don't know", "Ne sait pas"),
    ),
    "database_content": choices(
        ("full_texts", "Full texts", "Textes intégraux"),
        ("history", "Development history", "Historique d'élaboration"),
        ("implementation", "Information on implementation", "Informations sur la mise en œuvre"),
        ("adherents", "Adherents or parties", "Adhérents ou parties"),
        ("abrogated", "Abrogated or superseded instruments", "Instruments abrogés ou remplacés"),
        ("translations", "Translations", "Traductions"),
    ),
    "coherence": choices(
        ("horizontal_instruments", "Horizontal instruments that frame the others",
         "Instruments horizontaux qui encadrent les autres"),
        ("drafting_rules", "Common drafting rules", "Règles de rédaction communes"),
        ("legal_check", "Review by a legal service before adoption",
         "Examen par un service juridique avant adoption"),
        ("periodic_review", "Periodic review of the whole corpus",
         "Revue périodique de l'ensemble du corpus"),
        ("register", "A central register of instruments", "Un registre central des instruments"),
        ("none", "None of these", "Aucune de ces procédures"),
    ),
    "legal_effect": choices(
        ("binding", "Legally binding", "Juridiquement contraignant"),
        ("non_binding", "Not legally binding", "Non contraignant"),
        ("mixed", "Mixed (some provisions binding)",
         "Mixte (certaines dispositions contraignantes)"),
        ("unknown", "Unknown", "Inconnu"),
    ),
    "addressees": choices(
        ("states", "States", "États"),
        ("regulators", "Regulators", "Autorités de régulation"),
        ("private_operators", "Private operators", "Opérateurs privés"),
        ("other_ios", "Other international organisations", "Autres organisations internationales"),
        ("general_public", "The general public", "Le grand public"),
    ),
    "adopting_body": choices(
        ("plenary", "Plenary of members", "Assemblée plénière des membres"),
        ("governing_council", "Governing council or board", "Conseil de direction"),
        ("technical_committee", "Technical committee", "Comité technique"),
        ("conference_of_parties", "Conference of the parties", "Conférence des parties"),
        ("secretariat", "Secretariat", "Secrétariat"),
        ("other", "Other", "Autre"),
    ),
    "status": choices(
        ("in_force", "In force", "En vigueur"),
        ("superseded", "Superseded", "Remplacé"),
        ("draft", "Draft", "Projet"),
        ("withdrawn", "Withdrawn", "Retiré"),
    ),
    "responsibility": choices(
        ("members_only", "Members alone", "Les membres seuls"),
        ("mainly_members", "Mainly members, with support from the organisation",
         "Surtout les membres, avec l'appui de l'organisation"),
        ("shared", "Shared equally", "Partagée à parts égales"),
        ("mainly_organisation", "Mainly the organisation", "Surtout l'organisation"),
        ("not_applicable", "Not applicable", "Sans objet"),
    ),
    "mechanism_families": choices(
        ("assistance", "Assistance (helping members implement)",
         "Assistance (aider les membres à mettre en œuvre)"),
        ("compliance", "Compliance (verifying and supporting conformity)",
         "Conformité (vérifier et soutenir la conformité)"),
        ("advocacy", "Advocacy (visibility and ownership of instruments)",
         "Promotion (visibilité et appropriation des instruments)"),
        ("monitoring", "Monitoring (tracking the use of instruments)",
         "Suivi (observer l'utilisation des instruments)"),
        ("none", "None of these", "Aucun de ces mécanismes"),
    ),
    "assistance_types": choices(
        ("capacity_building", "Capacity building programmes",
         "Programmes de renforcement des capacités"),
        ("technical_assistance", "Technical assistance missions",
         "Missions d'assistance technique"),
        ("training", "Training courses", "Formations"),
        ("guidance_material", "Guidance or interpretation material",
         "Guides ou documents d'interprétation"),
        ("trust_funds", "Trust funds", "Fonds fiduciaires"),
        ("other", "Other", "Autre"),
    ),
    "compliance_types": choices(
        ("reporting", "Reporting obligations", "Obligations de rapport"),
        ("peer_review", "Peer reviews", "Examens par les pairs"),
        ("compliance_committee", "A compliance committee", "Un comité de conformité"),
        ("dispute_settlement", "Dispute settlement", "Règlement des différends"),
        ("accreditation", "Accreditation or certification", "Accréditation ou certification"),
        ("recognition", "Recognition arrangements", "Accords de reconnaissance"),
        ("other", "Other", "Autre"),
    ),
    "advocacy_types": choices(
        ("dissemination", "Publishing and disseminating instruments",
         "Publication et diffusion des instruments"),
        ("awareness", "Awareness campaigns", "Campagnes de sensibilisation"),
        ("translation", "Translation into other languages", "Traduction dans d'autres langues"),
        ("events", "Events and conferences", "Événements et conférences"),
        ("non_members", "Outreach to non-members", "Ouverture aux non-membres"),
        ("other", "Other", "Autre"),
    ),
    "monitoring_types": choices(
        ("member_surveys", "Surveys of members", "Enquêtes auprès des membres"),
        ("legislation_database", "A database of national measures",
         "Une base de données des mesures nationales"),
        ("indicators", "Indicators", "Indicateurs"),
        ("country_reviews", "Country reviews", "Examens par pays"),
        ("self_assessment", "Self-assessment by members", "Auto-évaluation par les membres"),
        ("other", "Other", "Autre"),
    ),
    "responsible_unit": choices(
        ("secretariat", "The secretariat", "Le secrétariat"),
        ("dedicated_unit", "A dedicated unit", "Une unité dédiée"),
        ("committee", "A committee of members", "Un comité de membres"),
        ("members", "Members themselves", "Les membres eux-mêmes"),
        ("partners", "External partners", "Des partenaires extérieurs"),
    ),
    "lifecycle": choices(
        ("clarify_roles", "Clarifying roles between the organisation and members",
         "Clarifier les rôles entre l'organisation et les membres"),
        ("disseminate", "Disseminating instruments", "Diffuser les instruments"),
        ("support", "Supporting members and end users", "Soutenir les membres et les utilisateurs"),
        ("compliance", "Promoting compliance", "Promouvoir la conformité"),
        ("monitor", "Monitoring use", "Suivre l'utilisation"),
        ("lessons", "Drawing lessons for future instruments",
         "Tirer des leçons pour les futurs instruments"),
    ),
    "frequency": choices(
        ("always", "Always", "Toujours"),
        ("frequently", "Frequently", "Souvent"),
        ("sometimes", "Sometimes", "Parfois"),
        ("never", "Never", "Jamais"),
    ),
    "monitoring_frequency": choices(
        ("continuous", "Continuously", "En continu"),
        ("annual", "Every year", "Chaque année"),
        ("multi_year", "Every few years", "Tous les quelques ans"),
        ("ad_hoc", "When needed", "Au besoin"),
    ),
    "implementation_challenges": choices(
        ("information", "Little information on what members do",
         "Peu d'informations sur ce que font les membres"),
        ("resources", "Limited resources of the secretariat", "Ressources limitées du secrétariat"),
        ("member_capacity", "Limited capacity of members", "Capacités limitées des membres"),
        ("political_will", "Lack of political will", "Manque de volonté politique"),
        ("technology", "Technology and tools", "Technologie et outils"),
        ("other", "Other", "Autre"),
    ),
    "ex_ante_methods": choices(
        ("needs_analysis", "Analysis of the need for the instrument",
         "Analyse du besoin de l'instrument"),
        ("cost_benefit", "Costs and benefits", "Coûts et avantages"),
        ("risk", "Risk assessment", "Évaluation des risques"),
        ("consultation", "Consultation of those affected", "Consultation des personnes concernées"),
        ("existing_work", "Review of similar work elsewhere",
         "Examen des travaux similaires ailleurs"),
        ("other", "Other", "Autre"),
    ),
    "review_triggers": choices(
        ("review_clause", "A review clause in the instrument",
         "Une clause de réexamen dans l'instrument"),
        ("periodic", "A fixed review cycle", "Un cycle de réexamen fixe"),
        ("member_request", "A request from members", "Une demande des membres"),
        ("ad_hoc", "Ad hoc decisions", "Des décisions ponctuelles"),
    ),
    "evaluation_object": choices(
        ("single", "Single instruments", "Des instruments isolés"),
        ("set", "Sets of related instruments", "Des ensembles d'instruments liés"),
        ("stock", "The whole stock of instruments", "L'ensemble du stock d'instruments"),
    ),
    "evaluation_focus": choices(
        ("implementation", "Implementation (use, uptake, compliance)",
         "Mise en œuvre (utilisation, adoption, conformité)"),
        ("impact", "Impact (outcomes, effectiveness, costs)",
         "Impact (résultats, efficacité, coûts)"),
        ("both", "Both", "Les deux"),
    ),
    "evaluators": choices(
        ("secretariat", "The secretariat", "Le secrétariat"),
        ("evaluation_unit", "A dedicated evaluation unit", "Une unité d'évaluation dédiée"),
        ("members", "Members (self-assessment)", "Les membres (auto-évaluation)"),
        ("external", "External experts or consultants", "Des experts ou consultants externes"),
        ("governing_body", "A governing committee", "Un comité directeur"),
        ("other", "Other", "Autre"),
    ),
    "publication": choices(
        ("always", "Always", "Toujours"),
        ("sometimes", "Sometimes", "Parfois"),
        ("never", "Never", "Jamais"),
    ),
    "evaluation_use": choices(
        ("revision", "Revising the instrument", "Réviser l'instrument"),
        ("withdrawal", "Withdrawing the instrument", "Retirer l'instrument"),
        ("new_instruments", "Preparing new instruments", "Préparer de nouveaux instruments"),
        ("implementation_support", "Adjusting implementation support",
         "Adapter l'appui à la mise en œuvre"),
        ("reporting", "Reporting to members", "Rendre compte aux membres"),
        ("none", "Not used so far", "Pas encore utilisés"),
    ),
    "evaluation_obstacles": choices(
        ("resources", "Resources", "Ressources"),
        ("methods", "Methodological difficulty", "Difficultés méthodologiques"),
        ("sensitivity", "Political sensitivity", "Sensibilité politique"),
        ("data", "Lack of data", "Manque de données"),
        ("other", "Other", "Autre"),
    ),
    # The 15 options of the Seed table, in its order (English labels as in the table).
    "stakeholder_types": choices(
        ("gov_members", "Government representatives of Member countries",
         "Représentants des gouvernements des pays membres"),
        ("gov_non_members", "Government representatives of non-Member countries",
         "Représentants des gouvernements des pays non membres"),
        ("national_regulators", "National regulatory agencies",
         "Organismes nationaux de réglementation"),
        ("other_domestic", "Other entities at the domestic level",
         "Autres entités au niveau national"),
        ("igos", "Intergovernmental organisations", "Organisations intergouvernementales"),
        ("international_ngos", "International NGOs", "ONG internationales"),
        ("academic_institutions", "Academic institutions", "Établissements universitaires"),
        ("academic_unions", "Academic unions", "Associations universitaires"),
        ("philanthropic_foundations", "Philanthropic foundations", "Fondations philanthropiques"),
        ("business_associations", "International business associations",
         "Associations internationales d'entreprises"),
        ("private_sector", "Private sector entities", "Entités du secteur privé"),
        ("individual_experts", "Individual experts", "Experts à titre individuel"),
        ("labour_unions", "Labour or trade unions", "Syndicats"),
        ("consumers", "Consumers", "Consommateurs"),
        ("other", "Other", "Autre"),
    ),
    "stakeholder_definition": choices(
        ("formal_definition", "Yes, a formal written definition",
         "Oui, une définition écrite formelle"),
        ("understanding_no_definition", "A shared understanding, but no real definition",
         "Une compréhension commune, mais pas de véritable définition"),
        ("no_definition", "No definition", "Aucune définition"),
    ),
    "engagement_strategy": choices(
        ("written", "Yes, a written policy or strategy", "Oui, une politique ou stratégie écrite"),
        ("informal", "An informal approach only", "Seulement une approche informelle"),
        ("none", "No", "Non"),
    ),
    "strategy_elements": choices(
        ("mapping", "Mapping of stakeholders", "Cartographie des parties prenantes"),
        ("objectives", "Objectives of engagement", "Objectifs de la participation"),
        ("steps", "Steps and timing", "Étapes et calendrier"),
        ("risk", "Management of risks such as capture", "Gestion des risques comme la capture"),
        ("feedback", "Feedback to participants", "Retour d'information aux participants"),
        ("evaluation", "Evaluation of engagement", "Évaluation de la participation"),
    ),
    "engagement_mechanisms": choices(
        ("consultation", "Public consultation on drafts", "Consultation publique sur les projets"),
        ("observer_status", "Observer status", "Statut d'observateur"),
        ("committees", "Participation in committees or working groups",
         "Participation aux comités ou groupes de travail"),
        ("advisory_body", "An advisory body", "Un organe consultatif"),
        ("stakeholder_membership", "A membership category for stakeholders",
         "Une catégorie de membres pour les parties prenantes"),
        ("liaison_officers", "Liaison officers", "Des agents de liaison"),
        ("events", "Workshops, conferences, hearings", "Ateliers, conférences, auditions"),
        ("online", "Online platforms", "Plateformes en ligne"),
        ("other", "Other", "Autre"),
    ),
    "rulemaking_stages": choices(
        ("agenda", "Setting the agenda", "Définition du programme"),
        ("drafting", "Drafting", "Rédaction"),
        ("adoption", "Adoption", "Adoption"),
        ("implementation", "Implementation", "Mise en œuvre"),
        ("review", "Evaluation and review", "Évaluation et réexamen"),
    ),
    "engagement_challenges": choices(
        ("capture", "Risk of capture by well-resourced interests",
         "Risque de capture par des intérêts bien dotés"),
        ("resources", "Staff time and resources", "Temps du personnel et ressources"),
        ("reach", "Reaching less experienced groups", "Atteindre les groupes moins expérimentés"),
        ("transparency", "Balancing transparency and negotiation",
         "Concilier transparence et négociation"),
        ("awareness", "Low awareness among stakeholders",
         "Faible sensibilisation des parties prenantes"),
        ("other", "Other", "Autre"),
    ),
    "coordination_mechanisms": choices(
        ("mous", "Memoranda of understanding", "Protocoles d'accord"),
        ("meetings", "Regular meetings", "Réunions régulières"),
        ("observer_status", "Reciprocal observer status", "Statut d'observateur réciproque"),
        ("joint_bodies", "Joint committees or working groups",
         "Comités ou groupes de travail conjoints"),
        ("joint_instruments", "Joint instruments", "Instruments conjoints"),
        ("cross_reference", "Cross-references between instruments",
         "Renvois croisés entre instruments"),
        ("data_sharing", "Sharing data", "Partage de données"),
        ("joint_assistance", "Joint technical assistance", "Assistance technique conjointe"),
        ("none", "None", "Aucun"),
        ("other", "Other", "Autre"),
    ),
    "guidelines_focus": choices(
        ("cooperation", "Promoting co-operation", "Promouvoir la coopération"),
        ("overlaps", "Avoiding overlaps", "Éviter les chevauchements"),
        ("development", "Developing instruments together", "Élaborer des instruments ensemble"),
        ("implementation", "Implementing instruments together",
         "Mettre en œuvre des instruments ensemble"),
        ("data", "Sharing data and research", "Partager données et recherche"),
        ("other", "Other", "Autre"),
    ),
    "formality": choices(
        ("informal", "Mostly informal", "Surtout informelle"),
        ("mixed", "Both formal and informal", "À la fois formelle et informelle"),
        ("formal", "Mostly formal", "Surtout formelle"),
    ),
    "coordination_obstacles": choices(
        ("mandates", "Separate mandates", "Mandats distincts"),
        ("overlaps", "Overlapping domains", "Domaines qui se chevauchent"),
        ("silos", "Working in silos", "Cloisonnement"),
        ("resources", "Resources", "Ressources"),
        ("other", "Other", "Autre"),
    ),
}


def organisation_section() -> Node:
    return group("organisation", "A. Your organisation", "A. Votre organisation", [
        note("organisation_intro",
             "This section describes your organisation: its category, members and secretariat.",
             "Cette section décrit votre organisation : sa catégorie, ses membres et son "
             "secrétariat."),
        text("name", "Full name of the organisation", "Nom complet de l'organisation",
             required=True),
        text("acronym", "Acronym", "Sigle"),
        select_one("category", "category", "Which category best describes your organisation?",
                   "Quelle catégorie décrit le mieux votre organisation ?", required=True),
        other_text("category_other", "category"),
        integer("year_established", "In which year was the organisation established?",
                "En quelle année l'organisation a-t-elle été créée ?",
                constraint=YEAR_RANGE, message=YEAR_MESSAGE),
        text("headquarters", "City of the headquarters", "Ville du siège"),
        select_one("membership_scope", "membership_scope", "Who can become a member?",
                   "Qui peut devenir membre ?"),
        other_text("membership_scope_other", "membership_scope"),
        select_multiple("member_types", "member_types", "What kinds of members do you have?",
                        "Quels types de membres avez-vous ?"),
        other_text("member_types_other", "member_types"),
        integer("member_count", "How many full members does the organisation have?",
                "Combien de membres de plein droit l'organisation compte-t-elle ?"),
        select_one("has_observers", "yes_no", "Does the organisation admit observers?",
                   "L'organisation admet-elle des observateurs ?"),
        integer("observer_count", "How many observers?", "Combien d'observateurs ?",
                relevant="${has_observers} = 'yes'"),
        integer("staff", "How many people work in the secretariat (full-time equivalent)?",
                "Combien de personnes travaillent au secrétariat (équivalent temps plein) ?",
                message=("Staff cannot be negative.", "Le personnel ne peut pas être négatif.")),
        select_one("budget_band", "budget_band", "Annual budget of the secretariat",
                   "Budget annuel du secrétariat"),
        select_multiple("mandate", "mandate", "What does the mandate of the organisation cover?",
                        "Que couvre le mandat de l'organisation ?", required=True),
        other_text("mandate_other", "mandate"),
        select_multiple("sectors", "sectors", "In which sectors does the organisation work?",
                        "Dans quels secteurs l'organisation travaille-t-elle ?"),
        other_text("sectors_other", "sectors"),
        text("respondent_name", "Name of the person answering", "Nom de la personne qui répond"),
        text("respondent_email", "E-mail of the person answering",
             "Adresse électronique de la personne qui répond",
             constraint="regex(., '^[^@ ]+@[^@ ]+[.][^@ ]+$')",
             message=("Enter an e-mail address such as name@example.org.",
                      "Indiquez une adresse électronique comme nom@exemple.org.")),
        comments("organisation_comments"),
    ])


def variety_section() -> Node:
    instrument = container("repeat", "instruments", "Instrument", "Instrument", [
        text("title", "Title of the instrument", "Titre de l'instrument", required=True),
        text("instrument_type", "Type of instrument, as your organisation names it",
             "Type d'instrument, tel que votre organisation le nomme",
             hint=("For example: recommendation, standard, decision, guideline.",
                   "Par exemple : recommandation, norme, décision, ligne directrice.")),
        select_one("legal_effect", "legal_effect", "Legal effect", "Effet juridique"),
        select_multiple("addressees", "addressees", "To whom is it addressed?",
                        "À qui s'adresse-t-il ?"),
        select_one("adopting_body", "adopting_body", "Which body adopted it?",
                   "Quel organe l'a adopté ?"),
        integer("year", "Year of adoption", "Année d'adoption",
                constraint=YEAR_RANGE, message=YEAR_MESSAGE,
                soft_constraint="${year_established} = '' or . >= ${year_established}",
                soft_message=("This year is before the organisation was established.",
                              "Cette année est antérieure à la création de l'organisation.")),
        select_one("status", "status", "Current status", "Statut actuel"),
        text("subjects", "Subjects (keywords separated by ;)",
             "Sujets (mots-clés séparés par ;)"),
    ], hint=("Add your main instruments, one at a time.",
             "Ajoutez vos principaux instruments, un à la fois."))
    return group("variety", "B. Variety of instruments", "B. Variété des instruments", [
        note("variety_intro",
             "This section asks which instruments your organisation adopts and how it keeps "
             "them clear and coherent.",
             "Cette section porte sur les instruments adoptés par votre organisation et sur la "
             "manière dont elle en assure la clarté et la cohérence."),
        select_multiple("instrument_families", "instrument_families",
                        "Which kinds of instruments does your organisation adopt?",
                        "Quels types d'instruments votre organisation adopte-t-elle ?",
                        required=True),
        other_text("instrument_families_other", "instrument_families"),
        integer("instruments_in_force", "About how many instruments are in force today?",
                "Environ combien d'instruments sont en vigueur aujourd'hui ?"),
        select_one("binding_share", "share", "How many of them are legally binding?",
                   "Combien d'entre eux sont juridiquement contraignants ?"),
        select_one("terminology_defined", "yes_partly_no",
                   "Are the names of your instrument types defined in writing?",
                   "Les noms de vos types d'instruments sont-ils définis par écrit ?"),
        select_one("definitions_public", "yes_no", "Are these definitions published?",
                   "Ces définitions sont-elles publiées ?",
                   relevant="${terminology_defined} != 'no' and ${terminology_defined} != ''"),
        select_one("public_database", "yes_no",
                   "Is there a public database or list of your instruments?",
                   "Existe-t-il une base de données ou une liste publique de vos instruments ?",
                   required=True),
        text("database_url", "Web address of the database", "Adresse web de la base de données",
             relevant="${public_database} = 'yes'"),
        select_multiple("database_content", "database_content", "What does it contain?",
                        "Que contient-elle ?", relevant="${public_database} = 'yes'"),
        select_multiple("coherence_procedures", "coherence",
                        "Which procedures keep your body of instruments coherent?",
                        "Quelles procédures assurent la cohérence de votre corpus d'instruments ?",
                        constraint=NONE_EXCLUSIVE, message=NONE_EXCLUSIVE_MESSAGE),
        note("instruments_intro",
             "Please list your main instruments (up to ten is enough).",
             "Veuillez énumérer vos principaux instruments (dix au plus suffisent)."),
        instrument,
        q("calculate", "instrument_count", "Number of instruments listed",
          "Nombre d'instruments énumérés", calculation="count(${instruments})"),
        q("calculate", "latest_instrument_year", "Most recent year of adoption listed",
          "Année d'adoption la plus récente", calculation="max(${year})"),
        note("instrument_count_note", "You listed ${instrument_count} instrument(s).",
             "Vous avez énuméré ${instrument_count} instrument(s).",
             relevant="${instrument_count} > 0"),
        examples("variety_examples",
                 "Examples of practices that make your instruments clearer or more coherent",
                 "Exemples de pratiques qui rendent vos instruments plus clairs ou plus cohérents"),
        comments("variety_comments"),
    ])


def _mechanism_block(family: str, en: str, fr: str) -> list[Node]:
    applies = f"selected(${{mechanism_families}}, '{family}')"
    return [
        select_multiple(f"{family}_types", f"{family}_types", en, fr, relevant=applies,
                        required=True),
        other_text(f"{family}_other", f"{family}_types"),
        select_one(f"{family}_responsible", "responsible_unit",
                   "Who is mainly responsible for this?", "Qui en est principalement responsable ?",
                   relevant=applies),
    ]


def implementation_section() -> Node:
    return group("implementation", "C. Implementation of instruments",
                 "C. Mise en œuvre des instruments", [
        note("implementation_intro",
             "Implementation is mostly the members' task. This section asks how your "
             "organisation supports it.",
             "La mise en œuvre incombe surtout aux membres. Cette section porte sur la manière "
             "dont votre organisation la soutient."),
        select_one("implementation_responsibility", "responsibility",
                   "Who is responsible for implementing your instruments?",
                   "Qui est responsable de la mise en œuvre de vos instruments ?", required=True),
        select_multiple("mechanism_families", "mechanism_families",
                        "Which kinds of mechanisms does your organisation use to support "
                        "implementation?",
                        "Quels types de mécanismes votre organisation utilise-t-elle pour soutenir "
                        "la mise en œuvre ?",
                        required=True, constraint=NONE_EXCLUSIVE, message=NONE_EXCLUSIVE_MESSAGE),
        q("calculate", "mechanism_family_count", "Number of kinds of mechanisms",
          "Nombre de types de mécanismes",
          calculation="if(selected(${mechanism_families}, 'none'), 0, "
                      "count-selected(${mechanism_families}))"),
        *_mechanism_block("assistance", "Which assistance mechanisms?",
                          "Quels mécanismes d'assistance ?"),
        *_mechanism_block("compliance", "Which compliance mechanisms?",
                          "Quels mécanismes de conformité ?"),
        *_mechanism_block("advocacy", "Which advocacy mechanisms?",
                          "Quels mécanismes de promotion ?"),
        *_mechanism_block("monitoring", "Which monitoring mechanisms?",
                          "Quels mécanismes de suivi ?"),
        select_one("monitoring_frequency", "monitoring_frequency",
                   "How often is implementation monitored?",
                   "À quelle fréquence la mise en œuvre est-elle suivie ?",
                   relevant="selected(${mechanism_families}, 'monitoring')"),
        select_one("monitoring_published", "yes_no", "Are monitoring results published?",
                   "Les résultats du suivi sont-ils publiés ?",
                   relevant="selected(${mechanism_families}, 'monitoring')"),
        select_multiple("lifecycle_phases", "lifecycle",
                        "Which phases of implementation does your organisation take part in?",
                        "À quelles phases de la mise en œuvre votre organisation "
                        "participe-t-elle ?"),
        select_one("non_binding_compliance", "yes_no",
                   "Do you also promote compliance with non-binding instruments?",
                   "Promouvez-vous aussi le respect des instruments non contraignants ?",
                   relevant="selected(${mechanism_families}, 'compliance')"),
        select_multiple("implementation_challenges", "implementation_challenges",
                        "What makes supporting implementation difficult?",
                        "Qu'est-ce qui rend difficile le soutien à la mise en œuvre ?"),
        other_text("implementation_challenges_other", "implementation_challenges"),
        examples("implementation_examples",
                 "Examples of practices that support implementation",
                 "Exemples de pratiques qui soutiennent la mise en œuvre"),
        comments("implementation_comments"),
    ])


def evaluation_section() -> Node:
    evaluates = "${ex_ante} != 'never' or ${ex_post} != 'never'"
    return group("evaluation", "D. Evaluation of instruments", "D. Évaluation des instruments", [
        note("evaluation_intro",
             "Evaluation looks at the use, implementation or effects of instruments, before "
             "(ex ante) or after (ex post) their adoption.",
             "L'évaluation porte sur l'utilisation, la mise en œuvre ou les effets des "
             "instruments, avant (ex ante) ou après (ex post) leur adoption."),
        select_one("ex_ante", "frequency",
                   "Do you assess the expected effects of an instrument before adopting it?",
                   "Évaluez-vous les effets attendus d'un instrument avant de l'adopter ?",
                   required=True),
        select_multiple("ex_ante_methods", "ex_ante_methods", "What does this assessment cover?",
                        "Sur quoi porte cette évaluation ?",
                        relevant="${ex_ante} != 'never' and ${ex_ante} != ''"),
        other_text("ex_ante_methods_other", "ex_ante_methods"),
        # Version 2026113017: oversight and publication of ex ante assessments, so that
        # the ex ante framework's iREG categories (oversight, transparency) read a question.
        select_one("ex_ante_oversight", "yes_no",
                   "Does a body other than the drafters check the quality of these "
                   "assessments?",
                   "Un organe autre que les rédacteurs contrôle-t-il la qualité de ces "
                   "évaluations ?",
                   relevant="${ex_ante} != 'never' and ${ex_ante} != ''"),
        select_one("ex_ante_published", "publication",
                   "Are ex ante assessments published?",
                   "Les évaluations ex ante sont-elles publiées ?",
                   relevant="${ex_ante} != 'never' and ${ex_ante} != ''"),
        select_one("ex_post", "frequency",
                   "Do you evaluate instruments after they have been adopted?",
                   "Évaluez-vous les instruments après leur adoption ?", required=True),
        select_multiple("review_triggers", "review_triggers", "What starts an ex post review?",
                        "Qu'est-ce qui déclenche un examen ex post ?",
                        relevant="${ex_post} != 'never' and ${ex_post} != ''"),
        select_multiple("evaluation_object", "evaluation_object", "What is evaluated?",
                        "Qu'est-ce qui est évalué ?", relevant=evaluates),
        select_one("evaluation_focus", "evaluation_focus", "What do evaluations focus on?",
                   "Sur quoi portent les évaluations ?", relevant=evaluates),
        select_multiple("evaluators", "evaluators", "Who carries out evaluations?",
                        "Qui réalise les évaluations ?", relevant=evaluates),
        other_text("evaluators_other", "evaluators"),
        select_one("evaluation_guidance", "yes_no", "Is there written guidance for evaluators?",
                   "Existe-t-il des orientations écrites pour les évaluateurs ?",
                   relevant=evaluates),
        integer("evaluations_count",
                "How many instruments were evaluated in the last five years?",
                "Combien d'instruments ont été évalués au cours des cinq dernières années ?",
                relevant=evaluates),
        select_one("evaluation_published", "publication", "Are evaluation results published?",
                   "Les résultats des évaluations sont-ils publiés ?", relevant=evaluates),
        select_multiple("evaluation_use", "evaluation_use",
                        "How are evaluation results used?",
                        "Comment les résultats des évaluations sont-ils utilisés ?",
                        relevant=evaluates, constraint=NONE_EXCLUSIVE,
                        message=NONE_EXCLUSIVE_MESSAGE),
        select_multiple("evaluation_obstacles", "evaluation_obstacles",
                        "What makes evaluation difficult?",
                        "Qu'est-ce qui rend l'évaluation difficile ?"),
        other_text("evaluation_obstacles_other", "evaluation_obstacles"),
        examples("evaluation_examples", "Examples of evaluation practices",
                 "Exemples de pratiques d'évaluation"),
        comments("evaluation_comments"),
    ])


def stakeholders_section() -> Node:
    return group("stakeholders_section", "E. Stakeholder engagement",
                 "E. Participation des parties prenantes", [
        note("stakeholders_intro",
             "Stakeholders are the people and bodies outside the membership who take part in "
             "or are affected by your work.",
             "Les parties prenantes sont les personnes et organismes extérieurs aux membres qui "
             "participent à vos travaux ou en subissent les effets."),
        select_multiple("stakeholders", "stakeholder_types",
                        "Which of the following actors does your organisation regard as "
                        "stakeholders?",
                        "Parmi les acteurs suivants, lesquels votre organisation considère-t-elle "
                        "comme des parties prenantes ?", required=True),
        other_text("stakeholders_other", "stakeholders"),
        q("calculate", "stakeholder_count", "Number of kinds of stakeholders",
          "Nombre de types de parties prenantes",
          calculation="count-selected(${stakeholders})"),
        select_one("stakeholder_definition", "stakeholder_definition",
                   "Does your organisation define what a stakeholder is?",
                   "Votre organisation définit-elle ce qu'est une partie prenante ?",
                   required=True),
        # Asked of every organisation (since version 2026113016): the free-text answers are
        # coded (``iocompendium.coding``) to show understanding without definition.
        text("stakeholder_definition_text",
             "How does your organisation understand \"stakeholder\"? Quote or summarise your "
             "definition if you have one; otherwise describe your understanding.",
             "Comment votre organisation comprend-elle la notion de « partie prenante » ? "
             "Citez ou résumez votre définition si vous en avez une ; sinon, décrivez votre "
             "compréhension."),
        select_one("engagement_strategy", "engagement_strategy",
                   "Does your organisation have a policy or strategy for engaging stakeholders?",
                   "Votre organisation a-t-elle une politique ou une stratégie de participation "
                   "des parties prenantes ?"),
        select_multiple("strategy_elements", "strategy_elements", "What does it cover?",
                        "Que couvre-t-elle ?", relevant="${engagement_strategy} = 'written'"),
        select_multiple("engagement_mechanisms", "engagement_mechanisms",
                        "How do stakeholders take part?",
                        "Comment les parties prenantes participent-elles ?"),
        other_text("engagement_mechanisms_other", "engagement_mechanisms"),
        select_multiple("engagement_stages", "rulemaking_stages",
                        "At which stages of the rulemaking cycle are stakeholders engaged?",
                        "À quelles étapes du cycle d'élaboration des règles les parties prenantes "
                        "sont-elles associées ?"),
        select_one("consultation_feedback", "frequency",
                   "Do you tell participants how their input was used?",
                   "Indiquez-vous aux participants comment leurs contributions ont été utilisées ?",
                   relevant="selected(${engagement_mechanisms}, 'consultation')"),
        select_one("drafts_public", "yes_partly_no", "Are draft instruments made public?",
                   "Les projets d'instruments sont-ils rendus publics ?"),
        # Version 2026113017: who checks engagement, for the oversight category of the
        # stakeholder-engagement framework.
        select_one("engagement_oversight", "yes_no",
                   "Does a body monitor how well stakeholders are engaged (for example by "
                   "reporting on consultation practice)?",
                   "Un organe suit-il la qualité de la participation des parties prenantes "
                   "(par exemple en rendant compte des pratiques de consultation) ?"),
        select_one("engagement_guidance", "yes_no",
                   "Is there guidance for staff on engaging stakeholders?",
                   "Existe-t-il des orientations pour le personnel sur la participation des "
                   "parties prenantes ?"),
        select_multiple("engagement_challenges", "engagement_challenges",
                        "What are the main challenges of stakeholder engagement?",
                        "Quelles sont les principales difficultés de la participation des "
                        "parties prenantes ?"),
        other_text("engagement_challenges_other", "engagement_challenges"),
        examples("stakeholders_examples", "Examples of stakeholder engagement practices",
                 "Exemples de pratiques de participation des parties prenantes"),
        comments("stakeholders_comments"),
    ])


def coordination_section() -> Node:
    return group("coordination", "F. Co-ordination with other international organisations",
                 "F. Coordination avec d'autres organisations internationales", [
        note("coordination_intro",
             "This section asks how your organisation works with other international "
             "organisations.",
             "Cette section porte sur la manière dont votre organisation travaille avec "
             "d'autres organisations internationales."),
        integer("partner_count",
                "With how many other international organisations did you co-ordinate in the "
                "last three years?",
                "Avec combien d'autres organisations internationales vous êtes-vous "
                "coordonnés au cours des trois dernières années ?"),
        select_multiple("coordination_mechanisms", "coordination_mechanisms",
                        "Which co-ordination mechanisms do you use?",
                        "Quels mécanismes de coordination utilisez-vous ?",
                        constraint=NONE_EXCLUSIVE, message=NONE_EXCLUSIVE_MESSAGE),
        other_text("coordination_mechanisms_other", "coordination_mechanisms"),
        integer("mou_count", "How many memoranda of understanding with other organisations "
                "are in force?",
                "Combien de protocoles d'accord avec d'autres organisations sont en vigueur ?",
                relevant="selected(${coordination_mechanisms}, 'mous')"),
        select_multiple("coordination_stages", "rulemaking_stages",
                        "At which stages of the rulemaking cycle do you co-ordinate?",
                        "À quelles étapes du cycle d'élaboration des règles vous coordonnez-vous ?",
                        relevant="not(selected(${coordination_mechanisms}, 'none'))"),
        select_one("coordination_guidelines", "yes_no",
                   "Does your organisation have written guidelines or formal instruments on "
                   "co-ordination with other international organisations?",
                   "Votre organisation dispose-t-elle de lignes directrices écrites ou "
                   "d'instruments formels sur la coordination avec d'autres organisations "
                   "internationales ?", required=True),
        select_multiple("guidelines_focus", "guidelines_focus", "What do they focus on?",
                        "Sur quoi portent-ils ?",
                        relevant="${coordination_guidelines} = 'yes'"),
        other_text("guidelines_focus_other", "guidelines_focus"),
        select_one("coordination_formality", "formality", "How formal is the co-ordination?",
                   "Quel est le degré de formalisation de la coordination ?"),
        select_multiple("coordination_obstacles", "coordination_obstacles",
                        "What makes co-ordination difficult?",
                        "Qu'est-ce qui rend la coordination difficile ?"),
        other_text("coordination_obstacles_other", "coordination_obstacles"),
        examples("coordination_examples", "Examples of co-ordination practices",
                 "Exemples de pratiques de coordination"),
        comments("coordination_comments"),
    ])


def io_survey() -> Structure:
    """The IO Survey structure (rows are given by the spreadsheet it is written to)."""
    return {
        "form_id": "io_survey",
        "form_version": FORM_VERSION,
        "title": {"en": "IO Survey", "fr": "Enquête auprès des OI"},
        "default_language": "en",
        "languages": ["en", "fr"],
        "choices": CHOICES,
        "children": [organisation_section(), variety_section(), implementation_section(),
                     evaluation_section(), stakeholders_section(), coordination_section()],
    }


def main(path: Path = OUTPUT) -> Path:
    from .xlsform import write_xlsform

    write_xlsform(io_survey(), path)
    return path


if __name__ == "__main__":
    print(main())
