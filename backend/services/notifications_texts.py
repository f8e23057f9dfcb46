"""The words of notification e-mails in the five UI languages (issue 14).

Each account has a language (``users.locale``, set at registration and in the account); a
notification and its e-mail are written in it. Texts are ``str.format`` templates; what people
wrote (a proposal's title, a reply, a planner's response) is put in as it was written. An unknown
locale falls back to English.

The set-based fan-out (``backend.repositories.notifications.fan_out``) writes one text per
language in the same statement (``CASE users.locale``), so the number of statements does not
grow with the number of recipients or languages.
"""

# ruff: noqa: E501  (a catalogue of sentences: one per line reads and diffs better than split strings)
from __future__ import annotations

LOCALES = ("en", "it", "sv", "et", "hu")
DEFAULT_LOCALE = "en"

_EN = {
    "new_proposal.subject": "New proposal near you: {title}",
    "new_proposal.body": "{name} was published for consultation in an area you follow.",
    "new_proposal.closes": " Comments close on {date}.",
    "stage.subject": "{title}: {what}",
    "stage.body": "{name} is now {what}.",
    "stage.consultation": "consultation opened",
    "stage.assessment": "consultation closed, now being assessed",
    "stage.decided": "decided",
    "stage.decided_as": "decided: {decision}",
    "decision.approved": "approved",
    "decision.refused": "refused",
    "decision.withdrawn": "withdrawn",
    "document.subject": "{title}: new document",
    "document.body": "A document was added to {name}: {document}.",
    "closing.subject": "{title}: consultation closes on {date}",
    "closing.body": "The consultation on {name} closes on {date}: there is still time to comment.",
    "reply.subject": "{who} replied to your comment on {title}",
    "response.subject": "The council responded to your comment on {title}",
    "response.scheme_changed": "What changed: {detail}",
    "response.not_taken_forward": "Not taken forward: {detail}",
    "response.noted": "Your comment was noted.",
    "footer": "\n\n--\nChange what CivicTwin e-mails you in your account. Unsubscribe from all: ",
    "digest.hello": "Hello {name},",
    "digest.daily": "Your daily CivicTwin digest:",
    "digest.weekly": "Your weekly CivicTwin digest:",
    "digest.subject.one": "CivicTwin: 1 update",
    "digest.subject.other": "CivicTwin: {n} updates",
}

TEXTS: dict[str, dict[str, str]] = {
    "en": _EN,
    "it": {
        "new_proposal.subject": "Nuovo progetto vicino a te: {title}",
        "new_proposal.body": "{name} è stato pubblicato per la consultazione in una zona che segui.",
        "new_proposal.closes": " I commenti si chiudono il {date}.",
        "stage.subject": "{title}: {what}",
        "stage.body": "{name} ora è: {what}.",
        "stage.consultation": "consultazione aperta",
        "stage.assessment": "consultazione chiusa, ora in valutazione",
        "stage.decided": "deciso",
        "stage.decided_as": "deciso: {decision}",
        "decision.approved": "approvato",
        "decision.refused": "respinto",
        "decision.withdrawn": "ritirato",
        "document.subject": "{title}: nuovo documento",
        "document.body": "È stato aggiunto un documento a {name}: {document}.",
        "closing.subject": "{title}: la consultazione si chiude il {date}",
        "closing.body": "La consultazione su {name} si chiude il {date}: c'è ancora tempo per commentare.",
        "reply.subject": "{who} ha risposto al tuo commento su {title}",
        "response.subject": "Il Comune ha risposto al tuo commento su {title}",
        "response.scheme_changed": "Che cosa è cambiato: {detail}",
        "response.not_taken_forward": "Non accolto: {detail}",
        "response.noted": "Il tuo commento è stato preso in considerazione.",
        "footer": "\n\n--\nScegli nel tuo account che cosa ti invia CivicTwin per e-mail. Annulla tutte le iscrizioni: ",
        "digest.hello": "Ciao {name},",
        "digest.daily": "Il tuo riepilogo giornaliero di CivicTwin:",
        "digest.weekly": "Il tuo riepilogo settimanale di CivicTwin:",
        "digest.subject.one": "CivicTwin: 1 aggiornamento",
        "digest.subject.other": "CivicTwin: {n} aggiornamenti",
    },
    "sv": {
        "new_proposal.subject": "Nytt förslag nära dig: {title}",
        "new_proposal.body": "{name} har publicerats för samråd i ett område du följer.",
        "new_proposal.closes": " Synpunkter tas emot till och med {date}.",
        "stage.subject": "{title}: {what}",
        "stage.body": "{name} är nu: {what}.",
        "stage.consultation": "samråd öppnat",
        "stage.assessment": "samrådet stängt, bedöms nu",
        "stage.decided": "beslutat",
        "stage.decided_as": "beslutat: {decision}",
        "decision.approved": "godkänt",
        "decision.refused": "avslaget",
        "decision.withdrawn": "återkallat",
        "document.subject": "{title}: nytt dokument",
        "document.body": "Ett dokument har lagts till i {name}: {document}.",
        "closing.subject": "{title}: samrådet stänger {date}",
        "closing.body": "Samrådet om {name} stänger {date}: det finns fortfarande tid att lämna synpunkter.",
        "reply.subject": "{who} svarade på din synpunkt om {title}",
        "response.subject": "Kommunen har svarat på din synpunkt om {title}",
        "response.scheme_changed": "Vad som ändrades: {detail}",
        "response.not_taken_forward": "Går inte vidare: {detail}",
        "response.noted": "Din synpunkt har noterats.",
        "footer": "\n\n--\nÄndra vad CivicTwin skickar till dig i ditt konto. Avsluta alla utskick: ",
        "digest.hello": "Hej {name},",
        "digest.daily": "Din dagliga sammanfattning från CivicTwin:",
        "digest.weekly": "Din veckosammanfattning från CivicTwin:",
        "digest.subject.one": "CivicTwin: 1 nyhet",
        "digest.subject.other": "CivicTwin: {n} nyheter",
    },
    "et": {
        "new_proposal.subject": "Uus projekt sinu lähedal: {title}",
        "new_proposal.body": "{name} avaldati avalikuks aruteluks piirkonnas, mida sa jälgid.",
        "new_proposal.closes": " Kommentaare saab esitada kuni {date}.",
        "stage.subject": "{title}: {what}",
        "stage.body": "{name} on nüüd: {what}.",
        "stage.consultation": "avalik arutelu algas",
        "stage.assessment": "avalik arutelu lõppes, toimub hindamine",
        "stage.decided": "otsustatud",
        "stage.decided_as": "otsustatud: {decision}",
        "decision.approved": "kinnitatud",
        "decision.refused": "tagasi lükatud",
        "decision.withdrawn": "tagasi võetud",
        "document.subject": "{title}: uus dokument",
        "document.body": "Projektile {name} lisati dokument: {document}.",
        "closing.subject": "{title}: avalik arutelu lõpeb {date}",
        "closing.body": "Projekti {name} avalik arutelu lõpeb {date}: kommenteerida jõuab veel.",
        "reply.subject": "{who} vastas sinu kommentaarile projekti {title} kohta",
        "response.subject": "Linnavalitsus vastas sinu kommentaarile projekti {title} kohta",
        "response.scheme_changed": "Mis muutus: {detail}",
        "response.not_taken_forward": "Edasi ei viida: {detail}",
        "response.noted": "Sinu kommentaar võeti teadmiseks.",
        "footer": "\n\n--\nMuuda oma kontol, mida CivicTwin sulle saadab. Loobu kõigist kirjadest: ",
        "digest.hello": "Tere, {name}!",
        "digest.daily": "Sinu CivicTwini päevakokkuvõte:",
        "digest.weekly": "Sinu CivicTwini nädalakokkuvõte:",
        "digest.subject.one": "CivicTwin: 1 uudis",
        "digest.subject.other": "CivicTwin: {n} uudist",
    },
    "hu": {
        "new_proposal.subject": "Új terv a közelében: {title}",
        "new_proposal.body": "{name} közzé lett téve véleményezésre egy Ön által követett területen.",
        "new_proposal.closes": " Hozzászólni eddig lehet: {date}.",
        "stage.subject": "{title}: {what}",
        "stage.body": "{name} új állapota: {what}.",
        "stage.consultation": "a véleményezés megnyílt",
        "stage.assessment": "a véleményezés lezárult, értékelés alatt",
        "stage.decided": "döntés született",
        "stage.decided_as": "döntés született: {decision}",
        "decision.approved": "jóváhagyva",
        "decision.refused": "elutasítva",
        "decision.withdrawn": "visszavonva",
        "document.subject": "{title}: új dokumentum",
        "document.body": "Új dokumentum került ide: {name}: {document}.",
        "closing.subject": "{title}: a véleményezés lezárul: {date}",
        "closing.body": "A(z) {name} véleményezése lezárul: {date}. Még van idő hozzászólni.",
        "reply.subject": "{who} válaszolt a(z) {title} tervhez írt hozzászólására",
        "response.subject": "Az önkormányzat válaszolt a(z) {title} tervhez írt hozzászólására",
        "response.scheme_changed": "Ami változott: {detail}",
        "response.not_taken_forward": "Nem viszik tovább: {detail}",
        "response.noted": "Hozzászólását tudomásul vették.",
        "footer": "\n\n--\nFiókjában beállíthatja, miről küld Önnek e-mailt a CivicTwin. Leiratkozás mindenről: ",
        "digest.hello": "Kedves {name}!",
        "digest.daily": "Napi CivicTwin-összefoglalója:",
        "digest.weekly": "Heti CivicTwin-összefoglalója:",
        "digest.subject.one": "CivicTwin: 1 újdonság",
        "digest.subject.other": "CivicTwin: {n} újdonság",
    },
}


def text(locale: str | None, key: str, **params: object) -> str:
    """``key`` in ``locale`` (English when the locale or the key is unknown), filled in."""
    catalogue = TEXTS.get(locale or DEFAULT_LOCALE, _EN)
    return catalogue.get(key, _EN[key]).format(**params)


def each_locale(key: str, **params: object) -> dict[str, str]:
    """``key`` filled in for every locale: what a set-based statement picks from per row."""
    return {locale: text(locale, key, **params) for locale in LOCALES}
