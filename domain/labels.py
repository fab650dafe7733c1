"""The words people see beside the data: field names, event types, the strategy tables' headers.

Read models return data (codes, numbers, field names); each face renders it with these labels in
the user's language (`Message.pl` / `.en`, or `in_language(code)`). Keeping the catalogue here, in
the domain, means the pages, the JSON API, the CLI and the exports say the same thing.
"""

from __future__ import annotations

from typing import Any

from domain.errors import Message, NotFound, bilingual
from domain.strategy.values import Level

# What a record shows where an erased contact person's name was (issue 12).
ERASED_PERSON = bilingual("osoba usunięta", "erased person")

# ---------------------------------------------------------------------------------------------- fields
FIELD_LABELS: dict[str, Message] = {
    # record fields
    "occurred_on": bilingual("Data zdarzenia", "Date"),
    "summary": bilingual("Opis", "Summary"),
    "title": bilingual("Tytuł", "Title"),
    "subject": bilingual("Temat", "Subject"),
    "channel": bilingual("Kanał", "Channel"),
    "kind": bilingual("Rodzaj", "Kind"),
    "institution_id": bilingual("Instytucja", "Institution"),
    "with_institution_id": bilingual("Z instytucją", "With institution"),
    "with_firm_id": bilingual("Z firmą", "With firm"),
    "person_ids": bilingual("Osoby", "Persons"),
    "person_id": bilingual("Osoba", "Person"),  # the DPO's acts (domain/privacy.py)
    "legal_ground": bilingual("Podstawa prawna", "Legal ground"),
    "through_version": bilingual("Do wersji", "Up to version"),  # a redaction (domain/privacy.py)
    "record_id": bilingual("Wpis", "Record"),  # a redaction's record (domain/privacy.py)
    "format": bilingual("Format pliku", "File format"),
    "organiser_id": bilingual("Organizator", "Organiser"),
    "institution_ids": bilingual("Instytucje", "Institutions"),
    "firm_ids": bilingual("Firmy", "Firms"),
    "topic": bilingual("Temat spotkania", "Meeting topic"),
    "minutes": bilingual("Protokół", "Minutes"),
    "follow_ups": bilingual("Dalsze działania", "Follow-ups"),
    "from_institution_id": bilingual("Od instytucji", "From institution"),
    "to_institution_ids": bilingual("Do instytucji", "To institutions"),
    "to_firm_ids": bilingual("Do firm", "To firms"),
    "meeting_id": bilingual("Spotkanie", "Meeting"),
    "municipality_id": bilingual("Gmina", "Municipality"),
    "indicator_codes": bilingual("Udostępnione wskaźniki", "Shared indicators"),
    "tags": bilingual("Tagi", "Tags"),
    "document_id": bilingual("Dokument", "Document"),
    "filename": bilingual("Nazwa pliku", "File name"),
    "content_type": bilingual("Rodzaj pliku", "File type"),
    "size": bilingual("Rozmiar (bajty)", "Size (bytes)"),
    "sha256": bilingual("Skrót SHA-256 pliku", "The file's SHA-256"),
    "meeting_kind": bilingual("Rodzaj spotkania", "Meeting kind"),
    "network_id": bilingual("Sieć", "Network"),
    "owner_institution_id": bilingual("Instytucja właścicielska", "Owner institution"),
    # the joint events calendar (issue 14, domain/calendar.py)
    "starts_at": bilingual("Początek", "Starts at"),
    "ends_at": bilingual("Koniec", "Ends at"),
    "all_day": bilingual("Całodniowe", "All day"),
    "details": bilingual("Szczegóły wydarzenia", "Event details"),
    # investor service (issue 14)
    "codename": bilingual("Kryptonim", "Codename"),
    "fields": bilingual("Dane terenu", "Site data"),
    "changes": bilingual("Zmiany", "Changes"),
    "area_m2": bilingual("Powierzchnia (m²)", "Area (m²)"),
    "zoning": bilingual("Przeznaczenie w MPZP", "Zoning (local plan)"),
    "utilities": bilingual("Media", "Utilities"),
    "ownership": bilingual("Własność", "Ownership"),
    "photo_id": bilingual("Zdjęcie", "Photo"),
    "caption": bilingual("Podpis", "Caption"),
    "network_ids": bilingual("Udostępniony sieciom", "Shared with networks"),
    "working_days": bilingual("Dni robocze na odpowiedź", "Working days to answer"),
    "module": bilingual("Moduł szkolenia", "Training module"),
    "held_on": bilingual("Data szkolenia", "Date of training"),
    "certificate": bilingual("Certyfikat", "Certificate"),
    "area_ha": bilingual("Powierzchnia (ha)", "Area (ha)"),
    "status": bilingual("Stan", "Status"),
    "plots": bilingual("Numery działek", "Plot numbers"),
    "latitude": bilingual("Szerokość geograficzna", "Latitude"),
    "longitude": bilingual("Długość geograficzna", "Longitude"),
    "description": bilingual("Opis", "Description"),
    # security events (domain/security_log.py)
    "user_id": bilingual("Konto", "Account"),
    "address": bilingual("Adres klienta (IP)", "Client address (IP)"),
    "failure": bilingual("Przyczyna niepowodzenia", "Why it failed"),
    "stage": bilingual("Krok logowania", "Sign-in step"),
    "second_factor": bilingual("Z drugim składnikiem (kod TOTP)", "With a second factor (TOTP code)"),
    "role": bilingual("Rola", "Role"),
    "previous_role": bilingual("Poprzednia rola", "Previous role"),
    "previous_institution_id": bilingual("Poprzednia instytucja", "Previous institution"),
    "invited": bilingual("Z jednorazowym linkiem do ustawienia hasła", "With a one-time link to set the password"),
    "how": bilingual("Sposób", "How"),
    "token_id": bilingual("Token API", "API token"),
    # registry fields
    "name": bilingual("Nazwa", "Name"),
    "short_name": bilingual("Skrót", "Short name"),
    # strategy fields
    "indicator_code": bilingual("Wskaźnik", "Indicator"),
    "indicator": bilingual("Wskaźnik", "Indicator"),
    "targets": bilingual("Wartości docelowe", "Targets"),
    "rule": bilingual("Reguła", "Rule"),
    "rule_version": bilingual("Wersja reguły", "Rule version"),
    "task_code": bilingual("Zadanie", "Task"),
    "task": bilingual("Zadanie", "Task"),
    "goal": bilingual("Cel", "Goal"),
    "programme": bilingual("Program", "Programme"),
    "stages": bilingual("Etapy", "Stages"),
    "stage_number": bilingual("Etap", "Stage"),
    "year": bilingual("Rok", "Year"),
    "realised": bilingual("Realizacja (%)", "Realised (%)"),
    "value": bilingual("Wartość", "Value"),
    "source": bilingual("Źródło", "Source"),
    "note": bilingual("Uwaga", "Note"),
}


def field_label(field: str) -> Message:
    """The label of a field; a field with no label shows its own name."""
    return FIELD_LABELS.get(field) or Message.untranslated(field)


def strategy_value_words(field: str, value: Any) -> Message | None:
    """A strategy event's value as an auditor reads it: targets as "2009: 3; 2010: –; 2011: bd", a rule in
    words, an indicator, task, goal or programme by code and name, stages by number and name. None for any
    other field (its value is shown as it is)."""
    from domain.strategy.rule_words import describe  # here, not at the top: rule_words imports the rules

    def figure(item: Any) -> str:
        return "–" if item == "-" else str(item)

    if field in ("targets", "planned", "realised_by_year") and isinstance(value, dict):
        return Message.untranslated("; ".join(f"{year}: {figure(item)}" for year, item in sorted(value.items())))
    if field == "rule" and isinstance(value, dict) and "kind" in value:
        try:
            return describe(value)
        except (KeyError, TypeError):
            return None
    if field in ("indicator", "task", "goal", "programme") and isinstance(value, dict) and "code" in value:
        return Message.untranslated(f"{value['code']} {value.get('name', '')}".strip())
    if field in SECURITY_VALUE_WORDS and isinstance(value, (str, bool)):  # security events' codes in words
        return SECURITY_VALUE_WORDS[field].get(value)
    if field == "legal_ground" and isinstance(value, str):  # an erasure's ground (domain/privacy.py)
        from domain.privacy import ERASURE_GROUNDS

        return ERASURE_GROUNDS.get(value)
    if field == "stages" and isinstance(value, list) and all(isinstance(s, dict) for s in value):
        return Message.untranslated("; ".join(f"{s.get('number')}. {s.get('name', '')}".strip() for s in value))
    return None


# The coded values of the security events (domain/security_log.py) in words.
_ROLES = {"staff": bilingual("pracownik instytucji", "institution staff"),
          "lead": bilingual("kierownik instytucji", "institution lead"),
          "coordinator": bilingual("koordynator", "coordinator"), "auditor": bilingual("audytor", "auditor"),
          "admin": bilingual("administrator", "administrator"),
          "dpo": bilingual("inspektor ochrony danych", "data-protection officer")}
_YES_NO = {True: bilingual("tak", "yes"), False: bilingual("nie", "no")}
SECURITY_VALUE_WORDS: dict[str, dict[Any, Message]] = {
    "failure": {"unknown_account": bilingual("nieznane konto", "unknown account"),
                "wrong_password": bilingual("błędne hasło", "wrong password"),
                "account_disabled": bilingual("konto wyłączone", "account disabled")},
    "stage": {"password": bilingual("hasło", "password"), "second_factor": bilingual("kod TOTP", "TOTP code")},
    "how": {"link": bilingual("jednorazowym linkiem", "with the one-time link"),
            "changed": bilingual("zmiana przez użytkownika", "changed by the user")},
    "role": _ROLES, "previous_role": _ROLES, "second_factor": _YES_NO, "invited": _YES_NO,
}

# ---------------------------------------------------------------------------------------------- event types
EVENT_LABELS: dict[str, Message] = {
    "Municipality.Registered": bilingual("Zarejestrowano gminę", "Municipality registered"),
    "Network.Registered": bilingual("Zarejestrowano sieć", "Network registered"),
    "Network.InstitutionJoined": bilingual("Instytucja przystąpiła do sieci", "Institution joined the network"),
    "Network.InstitutionLeft": bilingual("Instytucja opuściła sieć", "Institution left the network"),
    "Network.MunicipalityJoined": bilingual("Gmina przystąpiła do sieci wspólnej", "Municipality joined the shared network"),
    "Network.MunicipalityLeft": bilingual("Gmina wystąpiła z sieci wspólnej", "Municipality left the shared network"),
    "Network.IndicatorsShared": bilingual("Gmina zmieniła wskaźniki udostępniane sieci",
                                          "Municipality changed the indicators it shares with the network"),
    "Practice.Published": bilingual("Opublikowano dobrą praktykę", "Good practice published"),
    "Practice.Revised": bilingual("Zmieniono opis dobrej praktyki", "Good practice revised"),
    "Practice.DocumentAttached": bilingual("Dołączono dokument do dobrej praktyki", "Document attached to a good practice"),
    "Practice.DocumentRemoved": bilingual("Usunięto dokument dobrej praktyki", "Document removed from a good practice"),
    "Practice.PresentationLinked": bilingual("Powiązano dobrą praktykę ze spotkaniem",
                                             "Good practice linked to a meeting"),
    "Practice.Withdrawn": bilingual("Wycofano dobrą praktykę", "Good practice withdrawn"),
    "Institution.Registered": bilingual("Zarejestrowano instytucję", "Institution registered"),
    "Institution.Renamed": bilingual("Zmieniono nazwę instytucji", "Institution renamed"),
    "Institution.Deactivated": bilingual("Dezaktywowano instytucję", "Institution deactivated"),
    "Institution.FirmJoinedCluster": bilingual("Firma przystąpiła do klastra", "Firm joined the cluster"),
    "Institution.FirmLeftCluster": bilingual("Firma opuściła klaster", "Firm left the cluster"),
    "Firm.Registered": bilingual("Zarejestrowano firmę", "Firm registered"),
    "UniqueKey.Claimed": bilingual("Zarezerwowano unikalny klucz", "Unique key claimed"),
    "Record.ContactEstablished": bilingual("Zapisano kontakt", "Contact recorded"),
    "Record.MeetingHeld": bilingual("Zapisano spotkanie", "Meeting recorded"),
    "Record.InformationExchanged": bilingual("Zapisano przekazanie informacji", "Information exchange recorded"),
    "Record.ConclusionAdopted": bilingual("Zapisano wnioski / opracowanie", "Conclusion recorded"),
    "Record.Corrected": bilingual("Poprawiono wpis", "Record corrected"),
    "Record.Retracted": bilingual("Wycofano wpis", "Record retracted"),
    "CalendarEvent.Published": bilingual("Opublikowano wydarzenie w kalendarzu", "Calendar event published"),
    "CalendarEvent.Edited": bilingual("Zmieniono wydarzenie w kalendarzu", "Calendar event edited"),
    "CalendarEvent.Moved": bilingual("Przeniesiono wydarzenie na inny termin", "Calendar event moved"),
    "CalendarEvent.Cancelled": bilingual("Odwołano wydarzenie", "Calendar event cancelled"),
    "CalendarEvent.AttendanceRecorded": bilingual("Zapisano obecność na wydarzeniu jako spotkanie",
                                                  "Calendar event's attendance recorded as a meeting"),
    "Strategy.Started": bilingual("Rozpoczęto strategię", "Strategy started"),
    "Strategy.GoalDefined": bilingual("Określono cel", "Goal defined"),
    "Strategy.ProgrammeDefined": bilingual("Określono program", "Programme defined"),
    "Strategy.TaskDefined": bilingual("Określono zadanie", "Task defined"),
    "Strategy.StagesPlanned": bilingual("Zaplanowano etapy zadania", "Task stages planned"),
    "Strategy.StageProgressReported": bilingual("Zgłoszono postęp etapu", "Stage progress reported"),
    "Strategy.IndicatorDefined": bilingual("Określono wskaźnik", "Indicator defined"),
    "Strategy.TargetsSet": bilingual("Ustalono wartości docelowe", "Targets set"),
    "Strategy.RuleChanged": bilingual("Zmieniono regułę obliczania wskaźnika", "Indicator rule changed"),
    "Strategy.ValueReported": bilingual("Wprowadzono wartość wskaźnika", "Indicator value reported"),
    "Strategy.ReportPublished": bilingual("Opublikowano raport zadania", "Task report published"),
    "ReportingYear.Started": bilingual("Rozpoczęto zamykanie roku", "Year closing started"),
    "ReportingYear.SignedOff": bilingual("Zatwierdzono wpisy roku", "Year signed off"),
    "ReportingYear.Sealed": bilingual("Wstrzymano zmiany roku przed zamknięciem", "Year sealed for closing"),
    "ReportingYear.Closed": bilingual("Zamknięto rok", "Year closed"),
    "ClosingGate.Opened": bilingual("Zapis sprawdzony względem zamykania roku", "Write checked against year closing"),
    "ClosingGate.Passed": bilingual("Zapis sprawdzony względem zamykania roku", "Write checked against year closing"),
    "ClosingGate.YearsSealed": bilingual("Zamykanie roku wstrzymało zapisy", "Year closing stopped the writes"),
    "IdempotencyKey.Used": bilingual("Zapamiętano klucz Idempotency-Key", "Idempotency-Key remembered"),
    "IdempotencyKey.UsedAgain": bilingual("Ponownie użyto wygasłego klucza Idempotency-Key",
                                          "Expired Idempotency-Key used again"),
    "ReportingYear.Reopened": bilingual("Ponownie otwarto rok", "Year reopened"),
    "PersonalDataAct.PersonErased": bilingual("Usunięto dane osoby kontaktowej (art. 17 RODO)",
                                              "Contact person erased (GDPR art. 17)"),
    # investor service (issue 14, domain/investor.py)
    "InvestorInquiry.Received": bilingual("Przyjęto zapytanie inwestora", "Investor inquiry received"),
    "InvestorInquiry.DetailsChanged": bilingual("Poprawiono zapytanie inwestora", "Investor inquiry corrected"),
    "InvestorInquiry.Answered": bilingual("Odpowiedziano inwestorowi", "Investor answered"),
    "InvestorInquiry.OutcomeSet": bilingual("Zapisano wynik zapytania inwestora", "Investor inquiry outcome set"),
    "InvestmentSite.Registered": bilingual("Dodano teren inwestycyjny", "Investment site added"),
    "InvestmentSite.Changed": bilingual("Zaktualizowano teren inwestycyjny", "Investment site updated"),
    "InvestmentSite.PhotoAdded": bilingual("Dodano zdjęcie terenu", "Site photo added"),
    "InvestmentSite.PhotoRemoved": bilingual("Usunięto zdjęcie terenu", "Site photo removed"),
    "InvestmentSite.SharingChanged": bilingual("Zmieniono udostępnianie terenu", "Site sharing changed"),
    "ServiceTraining.Recorded": bilingual("Zapisano szkolenie z obsługi inwestora", "Investor-service training recorded"),
    "ServiceTraining.Removed": bilingual("Usunięto wpis szkolenia", "Training entry removed"),
    "ServiceStandard.ResponseTimeChanged": bilingual("Zmieniono czas odpowiedzi w standardzie obsługi inwestora",
                                                     "Investor-service response time changed"),
    "PersonalDataAct.SubjectDataExported": bilingual("Wydano dane osobowe osoby kontaktowej (art. 15 RODO)",
                                                     "Personal data of a contact person exported (GDPR art. 15)"),
    "PersonalDataAct.RecordRedacted": bilingual("Usunięto treść wpisu (art. 17 RODO)",
                                                "Text of a record redacted (GDPR art. 17)"),
    "SignIn.Succeeded": bilingual("Zalogowano", "Signed in"),
    "SignIn.Failed": bilingual("Nieudane logowanie", "Failed sign-in"),
    "SignIn.Throttled": bilingual("Zablokowano próby logowania (zbyt wiele nieudanych)",
                                  "Sign-in attempts blocked (too many failed)"),
    "SignIn.SecondFactorFailed": bilingual("Błędny kod drugiego składnika (TOTP)", "Wrong second-factor (TOTP) code"),
    "SignIn.SignedOut": bilingual("Wylogowano", "Signed out"),
    "AccountChange.UserAdded": bilingual("Dodano użytkownika", "User added"),
    "AccountChange.AccessChanged": bilingual("Zmieniono rolę lub instytucję użytkownika",
                                             "User's role or institution changed"),
    "AccountChange.UserDisabled": bilingual("Wyłączono konto użytkownika", "User disabled"),
    "AccountChange.PasswordSet": bilingual("Ustawiono hasło", "Password set"),
    "AccountChange.PasswordLinkIssued": bilingual("Wydano link do ustawienia hasła", "Password link issued"),
    "AccountChange.SecondFactorEnrolled": bilingual("Skonfigurowano drugi składnik (TOTP)",
                                                    "Second factor (TOTP) set up"),
    "AccountChange.SecondFactorReset": bilingual("Usunięto drugi składnik (TOTP) – do ponownej konfiguracji",
                                                 "Second factor (TOTP) removed, to be set up again"),
    "ApiTokenChange.Issued": bilingual("Utworzono token API", "API token created"),
    "ApiTokenChange.Revoked": bilingual("Unieważniono token API", "API token revoked"),
}


def event_label(event_type: str) -> Message:
    """'Record.MeetingHeld' -> „Zapisano spotkanie” / "Meeting recorded"; unknown types show themselves."""
    return EVENT_LABELS.get(event_type) or Message.untranslated(event_type)


# ---------------------------------------------------------------------------------------------- strategy tables
LEVEL_LABELS: dict[str, Message] = {
    Level.PRODUCT.value: bilingual("Wskaźniki produktu", "Output indicators"),
    Level.RESULT.value: bilingual("Wskaźniki rezultatu", "Result indicators"),
    Level.IMPACT.value: bilingual("Wskaźniki oddziaływania", "Impact indicators"),
}


def level_label(level: str) -> Message:
    return LEVEL_LABELS.get(level) or Message.untranslated(level)


NO_RULE = bilingual("Brak reguły: wartość osiągnięta nie jest liczona.",
                    "No rule: the achieved value is not computed.")

INDICATOR_HEADER = (bilingual("Kod", "Code"), bilingual("Typ", "Type"), bilingual("Wskaźnik", "Indicator"),
                    bilingual("Źródło", "Source"), bilingual("Wartość", "Value"))
NO_INDICATORS = bilingual("Brak", "None")
SERIES_LABELS: dict[str, Message] = {
    "target": bilingual("plan (wartość docelowa)", "plan (target value)"),
    "actual": bilingual("wykonanie (wartość osiągnięta)", "actual (achieved value)"),
    "percent": bilingual("% wykonania planu", "% of plan achieved"),
}
STAGE_HEADER = bilingual("Etap realizacji (wykonanie/plan %)", "Stage (realised/planned %)")
STAGE_TOTAL = bilingual("Razem", "Total")
STAGE_PROGRESS_TOTAL = bilingual("Razem (postęp zadania)", "Total (task progress)")
INDICATORS_TITLE = bilingual("Mierniki dla realizacji zadania", "Indicators of the task")
VALUE_LEGEND = bilingual("(„-” = nie planowano, „bd” = brak danych, 0 = zero)",
                         "(“-” = not planned, “bd” = no data, 0 = zero)")
RULES_TITLE = bilingual("Reguły obliczania wartości osiągniętych", "How the achieved values are computed")
STAGES_TITLE = bilingual("Etapy realizacji zadania", "Stages of the task")


def rule_line(code: str, version: Any, rule_text: str) -> Message:
    """One line of the rules list: 'III.1.3.W1 (reguła v2): ...'."""
    return bilingual(f"{code} (reguła v{version}): {rule_text}", f"{code} (rule v{version}): {rule_text}")


def report_heading(task_code: str, task_name: str, *, as_of: str | None,
                   publication: dict[str, Any] | None = None) -> Message:
    """The first line of a task report: which task and as known when."""
    if publication:
        at = publication["published_at"][:16].replace("T", " ")
        pl = (f"raport opublikowany nr {publication['number']} „{publication['title']}” ({at} UTC), "
              "odtworzony bez późniejszych zmian")
        en = (f"published report no. {publication['number']} “{publication['title']}” ({at} UTC), "
              "reproduced without later changes")
    elif as_of:
        pl = f"stan na {as_of} (tylko wpisy zarejestrowane do końca tego dnia)"
        en = f"as of {as_of} (only what was recorded by the end of that day)"
    else:
        pl, en = "stan bieżący", "current state"
    return bilingual(f"Zadanie {task_code} {task_name} — {pl}", f"Task {task_code} {task_name} — {en}")


def progress_words(task_code: str, realised: str, planned_to_date: str, *, until: str | None,
                   programme: tuple[str, str] | None, goal: tuple[str, str] | None) -> Message:
    """'Postęp zadania III.1.3: 40% (plan do 2013: 60%); programu III.1: 40%; celu III: 40%'."""
    pl = [f"Postęp zadania {task_code}: {realised}% (plan do {until or 'dziś'}: {planned_to_date}%)"]
    en = [f"Progress of task {task_code}: {realised}% (planned by {until or 'today'}: {planned_to_date}%)"]
    if programme:
        pl.append(f"programu {programme[0]}: {programme[1]}%")
        en.append(f"programme {programme[0]}: {programme[1]}%")
    if goal:
        pl.append(f"celu {goal[0]}: {goal[1]}%")
        en.append(f"goal {goal[0]}: {goal[1]}%")
    return bilingual("; ".join(pl), "; ".join(en))


# ---------------------------------------------------------------------------------------------- audit export
AUDIT_CSV_HEADER = (
    bilingual("Pozycja", "Position"), bilingual("Zarejestrowano (UTC)", "Recorded (UTC)"),
    bilingual("Użytkownik", "User"), bilingual("Instytucja działająca", "Acting institution"),
    bilingual("Instytucja właścicielska", "Owner institution"), bilingual("Identyfikator", "Id"),
    bilingual("Wersja", "Version"), bilingual("Rodzaj", "Kind"), bilingual("Zdarzenie", "Event"),
    bilingual("Przyczyna", "Reason"), bilingual("Zmiany", "Changes"),
    bilingual("Skrót w łańcuchu (SHA-256)", "Chain hash (SHA-256)"),
)


# ---------------------------------------------------------------------------------------------- not found
def task_not_found(task_code: str, *, as_of: str | None = None) -> NotFound:
    when_pl = f" na dzień {as_of} (do końca tego dnia nic o nim nie zarejestrowano)" if as_of else ""
    when_en = f" as of {as_of} (nothing about it had been recorded by the end of that day)" if as_of else ""
    return NotFound(bilingual(f"Nie ma zadania o kodzie {task_code}{when_pl}.",
                              f"No task with code {task_code}{when_en}."), field="task_code")


def indicator_not_found(indicator_code: str) -> NotFound:
    return NotFound(bilingual(f"Nie ma wskaźnika o kodzie {indicator_code}.",
                              f"No indicator with code {indicator_code}."), field="indicator_code")


def publication_not_found(number: object) -> NotFound:
    return NotFound(bilingual(f"Nie ma opublikowanego raportu nr {number}.", f"No published report number {number}."),
                    field="publication")
