"""What the simulated participants write, in French and English (seeded choices, no network)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NAMES = (
    "Amina",
    "Bruno",
    "Chloé",
    "Dmitri",
    "Élodie",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jonas",
    "Karima",
    "Léo",
    "Maya",
    "Nils",
    "Océane",
    "Paul",
    "Rania",
    "Samuel",
)
TEAMS = ("support", "dev", "ops")
SITES = ("Lyon", "Montréal", "Dakar")
ROLES = ("manager", "staff", "staff")

VOICES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "fr": {
        "trust.hope": (
            "Qu'on arrête de se renvoyer la balle entre équipes.",
            "Retrouver un peu de plaisir à travailler ensemble.",
            "Que les tickets urgents ne deviennent plus des drames.",
        ),
        "trust.worry": (
            "Que ça serve à désigner des coupables.",
            "Que la direction lise ce qu'on écrit.",
            "Que rien ne change après.",
        ),
        "trust.need": (
            "Savoir exactement qui lit quoi.",
            "Pouvoir parler sans mon nom.",
            "Que le responsable ne soit pas dans mon sous-groupe.",
        ),
        "contract.must_come_out": (
            "Un circuit clair pour les incidents.",
            "Des priorités décidées ensemble.",
        ),
        "contract.conditions": (
            "Pas de sanction pour ce qui est dit ici.",
            "Une heure par semaine protégée.",
        ),
        "contract.reason": (
            "Le rythme me paraît ambitieux.",
            "Il manque l'engagement de la direction.",
        ),
        "subgroups.ordinary_day": (
            "Je passe ma matinée à répondre à des clients en colère.",
            "Je découvre les urgences par la messagerie, sans contexte.",
            "Je jongle entre trois fuseaux horaires.",
        ),
        "subgroups.imagined_view": (
            "Qu'on se plaint tout le temps.",
            "Qu'on livre sans tester.",
            "Qu'on est injoignables.",
        ),
        "conflict.describe": (
            "Les incidents arrivent sans information et on nous reproche les délais.",
            "On nous demande des correctifs sans priorité claire.",
            "Le support promet des dates qu'on ne peut pas tenir.",
        ),
        "conflict.reproach_and_fear": (
            "Je crains qu'on nous voie comme des exécutants.",
            "J'ai peur qu'on nous juge sans savoir.",
        ),
        "conflict.restate": (
            "Pour eux, on promet trop vite aux clients.",
            "Ils vivent nos demandes comme des ordres sans contexte.",
        ),
        "conflict.hard_to_hear": ("Qu'on ne tienne pas nos promesses.", "Le mot « exécutants »."),
        "information.known": (
            "Les clients appellent le support avant même l'alerte technique.",
            "Le planning des mises en production change sans prévenir.",
        ),
        "information.obstacle": (
            "Aucun canal commun pour les incidents.",
            "Les priorités changent chaque semaine.",
        ),
        "information.our_part": (
            "Nous ne documentons pas assez nos changements.",
            "Nous relayons l'urgence sans la qualifier.",
        ),
        "information.need_from_others": (
            "Un contact joignable pendant nos heures.",
            "Une priorité écrite, pas orale.",
        ),
        "collective_intelligence.what_i_do": (
            "J'appelle directement quelqu'un que je connais.",
            "J'ouvre un ticket et j'attends.",
        ),
        "collective_intelligence.fear": (
            "Qu'on me reproche d'avoir contourné le circuit.",
            "Que le client parte.",
        ),
        "collective_intelligence.other_view": (
            "« On aimerait comprendre l'urgence avant d'agir. »",
            "« On est en première ligne et seuls. »",
        ),
        "collective_intelligence.missing": ("Le rôle des fuseaux horaires.", ""),
        "solutions.proposal": (
            "Un canal incident commun avec un binôme support-dev de garde.",
            "Une réunion de priorités hebdomadaire de 20 minutes.",
            "Un modèle de ticket urgent avec trois questions obligatoires.",
        ),
        "solutions.affected": ("Support et développement.", "Toute l'équipe."),
        "solutions.first_test": (
            "Essayer deux semaines sur les incidents de Lyon.",
            "Un essai d'un mois.",
        ),
        "solutions.objection": ("", "", "Attention à la charge des personnes de garde."),
        "solutions.done_since": (
            "Le canal existe, deux incidents y sont passés.",
            "On a fait la première revue commune des tickets urgents.",
            "Le support prévient maintenant le dev avant d'escalader.",
            "La fiche de passation de nuit est écrite.",
            "Deux personnes du dev ont passé une matinée au support.",
            "Les priorités de la semaine sont affichées le lundi.",
        ),
        "solutions.still_blocked": (
            "Le binôme de nuit n'est pas encore défini.",
            "Les urgences du vendredi soir restent sans responsable clair.",
            "On attend encore l'accord de la direction sur les astreintes.",
            "Le canal est utilisé, mais pas toujours pour les bons sujets.",
            "La revue commune déborde souvent sur l'heure du déjeuner.",
            "Rien de bloquant cette semaine.",
        ),
        "solutions.learned": (
            "On peut se dire les choses sans que ça explose.",
            "Les autres équipes ont leurs propres contraintes.",
        ),
        "barometer.word": ("prudent", "mieux", "fatigué", "curieux"),
        "conflict.correction": ("",),
    },
    "en": {
        "trust.hope": (
            "That teams stop passing the buck.",
            "To enjoy working together again.",
            "That urgent tickets stop turning into dramas.",
        ),
        "trust.worry": (
            "That this will be used to find culprits.",
            "That management reads what we write.",
            "That nothing changes afterwards.",
        ),
        "trust.need": (
            "Knowing exactly who reads what.",
            "Being able to speak without my name.",
            "That my manager is not in my sub-group.",
        ),
        "contract.must_come_out": ("A clear path for incidents.", "Priorities decided together."),
        "contract.conditions": ("No sanction for what is said here.", "One protected hour a week."),
        "contract.reason": ("The rhythm looks ambitious.", "Management's commitment is missing."),
        "subgroups.ordinary_day": (
            "I spend my mornings answering angry customers.",
            "I learn about emergencies from chat, with no context.",
            "I juggle three time zones.",
        ),
        "subgroups.imagined_view": (
            "That we complain all the time.",
            "That we ship without testing.",
            "That we can't be reached.",
        ),
        "conflict.describe": (
            "Incidents arrive with no information and we get blamed for delays.",
            "We are asked for fixes without a clear priority.",
            "Support promises dates we cannot keep.",
        ),
        "conflict.reproach_and_fear": (
            "I fear we are seen as mere executors.",
            "I'm afraid of being judged by people who don't know.",
        ),
        "conflict.restate": (
            "For them, we promise customers too quickly.",
            "They experience our requests as orders without context.",
        ),
        "conflict.hard_to_hear": ("That we don't keep our promises.", "The word 'executors'."),
        "information.known": (
            "Customers call support before the technical alert fires.",
            "The release schedule changes without notice.",
        ),
        "information.obstacle": (
            "No shared channel for incidents.",
            "Priorities change every week.",
        ),
        "information.our_part": (
            "We don't document our changes enough.",
            "We pass on urgency without qualifying it.",
        ),
        "information.need_from_others": (
            "Someone reachable during our hours.",
            "A written priority, not a spoken one.",
        ),
        "collective_intelligence.what_i_do": (
            "I call someone I know directly.",
            "I open a ticket and wait.",
        ),
        "collective_intelligence.fear": (
            "Being blamed for bypassing the process.",
            "Losing the customer.",
        ),
        "collective_intelligence.other_view": (
            "'We'd like to understand the urgency first.'",
            "'We are on the front line, alone.'",
        ),
        "collective_intelligence.missing": ("The role of time zones.", ""),
        "solutions.proposal": (
            "A shared incident channel with an on-call support-dev pair.",
            "A 20-minute weekly priorities meeting.",
            "An urgent-ticket template with three mandatory questions.",
        ),
        "solutions.affected": ("Support and development.", "The whole team."),
        "solutions.first_test": ("Try it for two weeks on Lyon incidents.", "A one-month trial."),
        "solutions.objection": ("", "", "Mind the load on the people on call."),
        "solutions.done_since": (
            "The channel exists; two incidents went through it.",
            "We held the first joint review of urgent tickets.",
            "Support now warns dev before escalating.",
            "The night handover sheet is written.",
            "Two developers spent a morning with support.",
            "The week's priorities are posted on Mondays.",
        ),
        "solutions.still_blocked": (
            "The night pair is not defined yet.",
            "Friday evening emergencies still have no clear owner.",
            "We are still waiting for management to agree on on-call.",
            "The channel is used, but not always for the right topics.",
            "The joint review often runs into lunchtime.",
            "Nothing blocking this week.",
        ),
        "solutions.learned": (
            "We can say things without it blowing up.",
            "Other teams have their own constraints.",
        ),
        "barometer.word": ("cautious", "better", "tired", "curious"),
        "conflict.correction": ("",),
    },
}

SCRIPT_TEXT: Mapping[str, Mapping[str, Any]] = {
    "fr": {
        "title": "Support et développement : retrouver la coopération",
        "restate": (
            "Chacun tient à son équipe et craint d'être jugé sur des "
            "incidents dont il ne maîtrise pas l'origine. Ai-je bien entendu ?"
        ),
        "contract": (
            "Objectif : rétablir un circuit d'incidents que chaque équipe juge juste.\n"
            "Périmètre : incidents clients et priorités ; hors périmètre : évaluations "
            "individuelles.\nRythme : un tour par semaine pendant dix semaines.\n"
            "Confidentialité : rien n'est attribué sans accord ; la direction ne reçoit que "
            "les synthèses.\nDécisions : par consentement.\nEngagement de la direction : "
            "une heure protégée par semaine."
        ),
        # Version 2 takes up the objection to version 1 ("le rythme me paraît ambitieux").
        "contract_v2": (
            "Objectif : rétablir un circuit d'incidents que chaque équipe juge juste.\n"
            "Périmètre : incidents clients et priorités ; hors périmètre : évaluations "
            "individuelles.\nRythme : un tour toutes les deux semaines pendant dix semaines.\n"
            "Confidentialité : rien n'est attribué sans accord ; la direction ne reçoit que "
            "les synthèses.\nDécisions : par consentement.\nEngagement de la direction : "
            "une heure protégée par semaine."
        ),
        "obstacles": (
            "Pas de canal commun pour les incidents",
            "Priorités qui changent chaque semaine",
            "Promesses faites aux clients sans consulter le développement",
        ),
        "causes": (
            "Les équipes ne partagent aucun créneau horaire",
            "Les objectifs du support et du développement sont mesurés séparément",
        ),
        "scenario": (
            "Un client important signale une panne un vendredi à 17 h ; le développeur "
            "de garde ne répond pas."
        ),
        "action": "Ouvrir le canal incident commun et publier le tableau de garde",
        "help": (
            "Médecine du travail : 01 23 45 67 89 (du lundi au vendredi). "
            "Référente harcèlement : Claire Martin, poste 4412."
        ),
        "line": (
            "Je ne me sens pas bien depuis la dernière réunion. Je préfère ne pas le dire "
            "devant le groupe."
        ),
        "line_answer": "Merci de me l'écrire. Voulez-vous qu'on en parle demain, à deux ?",
        "line_again": "Oui, demain à 11 h, ce serait bien.",
        "possible": "Savoir qui lira les réponses, et si la direction les verra.",
        # A sub-group's report-back: a first draft, then the words the sub-group agrees on.
        "report_back": (
            "Nous faisons tous le même métier, avec des contraintes différentes.",
            "Nous faisons le même métier avec des contraintes que les autres ne voient pas : "
            "les plannings qui changent la veille, les appels de nuit.",
        ),
        "report_back_other": (
            "Nous pensions être seuls à porter les urgences ; ce n'est pas le cas."
        ),
        "flag_word": "Une phrase vise une personne reconnaissable.",
    },
    "en": {
        "title": "Support and development: restoring cooperation",
        "restate": (
            "Each of you cares for their team and fears being judged on incidents "
            "whose cause they do not control. Did I hear that right?"
        ),
        "contract": (
            "Objective: restore an incident path that every team finds fair.\n"
            "Scope: customer incidents and priorities; out of scope: individual appraisals.\n"
            "Rhythm: one round a week for ten weeks.\n"
            "Confidentiality: nothing is attributed without consent; management receives "
            "syntheses only.\nDecisions: by consent.\n"
            "Management commits: one protected hour a week."
        ),
        # Version 2 takes up the objection to version 1 ("the rhythm looks ambitious").
        "contract_v2": (
            "Objective: restore an incident path that every team finds fair.\n"
            "Scope: customer incidents and priorities; out of scope: individual appraisals.\n"
            "Rhythm: one round every two weeks for ten weeks.\n"
            "Confidentiality: nothing is attributed without consent; management receives "
            "syntheses only.\nDecisions: by consent.\n"
            "Management commits: one protected hour a week."
        ),
        "obstacles": (
            "No shared channel for incidents",
            "Priorities that change every week",
            "Promises made to customers without asking development",
        ),
        "causes": (
            "The teams share no working hours",
            "Support and development are measured on separate goals",
        ),
        "scenario": (
            "A key customer reports an outage on Friday at 5 pm; the on-call "
            "developer does not answer."
        ),
        "action": "Open the shared incident channel and publish the on-call rota",
        "help": (
            "Occupational health: 01 23 45 67 89 (Monday to Friday). "
            "Harassment contact: Claire Martin, extension 4412."
        ),
        "line": (
            "I have not felt well since the last meeting. I would rather not say it in front "
            "of the group."
        ),
        "line_answer": "Thank you for writing to me. Shall we talk tomorrow, just the two of us?",
        "line_again": "Yes, tomorrow at 11 would be good.",
        "possible": "Knowing who will read the answers, and whether management will see them.",
        # A sub-group's report-back: a first draft, then the words the sub-group agrees on.
        "report_back": (
            "We all do the same job, with different constraints.",
            "We do the same job with constraints the others do not see: rosters that change "
            "the day before, night calls.",
        ),
        "report_back_other": "We thought we were alone in carrying the emergencies; we are not.",
        "flag_word": "One sentence targets a person everyone can recognise.",
    },
}
