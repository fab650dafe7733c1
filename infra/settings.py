"""Settings: the only module that reads the environment.

| variable | default | meaning |
|---|---|---|
| SPLOT_DATA_DIR | var/ | SQLite files (events, read models, directory) and keys live here |
| SPLOT_DATABASE_URL | (unset) | postgresql://user:password@host:port/dbname switches every store to PostgreSQL |
| SPLOT_SIGNING_KEY_FILE | $SPLOT_DATA_DIR/keys/checkpoint-ed25519.pem | Ed25519 key that signs audit checkpoints; keep it outside the database |
| SPLOT_DEFAULT_MUNICIPALITY | Miasto Leszno | name of the municipality created in an empty store |
| SPLOT_DEFAULT_NETWORK | Sieć jednostek okołobiznesowych subregionu leszczyńskiego | name of the default network |
| SPLOT_PROJECTION_PAGE_SIZE | 500 | notifications read per page when read models catch up |
| SPLOT_PERSON_RETENTION_YEARS | 5 | contact persons named by no record for this many years are listed for the DPO's review |
| SPLOT_PRIVACY_CONTROLLER | Prezydent Miasta Leszna, ul. Karasia 15, 64-100 Leszno | the controller of personal data, as the privacy notice names it |
| SPLOT_PRIVACY_DPO_CONTACT | iod@leszno.pl | how to contact the data-protection officer (privacy notice) |
| SPLOT_SMTP_HOST | (unset: no e-mail) | the SMTP server the daily digest of follow-ups goes through (`splot digest send`) |
| SPLOT_SMTP_PORT | 25 | its port (587 with SPLOT_SMTP_STARTTLS=1, as a rule) |
| SPLOT_SMTP_FROM | (required with a host) | the digest's From address |
| SPLOT_SMTP_USER, SPLOT_SMTP_PASSWORD | (unset) | a login, when the server asks for one |
| SPLOT_SMTP_STARTTLS | 0 | 1: upgrade the connection with STARTTLS before logging in |
| SPLOT_PUBLIC_URL | (unset) | the address people open Splot at (links in the digest), e.g. https://splot.leszno.pl |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlparse


@dataclass(frozen=True)
class PostgresParams:
    dbname: str
    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> PostgresParams:
        parsed = urlparse(url)
        if parsed.scheme not in ("postgresql", "postgres"):
            raise ValueError(f"SPLOT_DATABASE_URL must start with postgresql://, got {parsed.scheme!r}")
        dbname = parsed.path.lstrip("/")
        if not dbname:
            raise ValueError("SPLOT_DATABASE_URL must name a database: postgresql://user:pw@host:port/dbname")
        return cls(
            dbname=dbname,
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=unquote(parsed.username or "postgres"),
            password=unquote(parsed.password or ""),
        )

    @property
    def conninfo(self) -> str:
        return f"dbname={self.dbname} host={self.host} port={self.port} user={self.user} password={self.password}"


@dataclass(frozen=True)
class SmtpSettings:
    """Where the daily digest e-mail goes out (issue 14); off unless SPLOT_SMTP_HOST is set."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False


def _smtp(env) -> SmtpSettings | None:
    host = (env.get("SPLOT_SMTP_HOST") or "").strip()
    if not host:
        return None
    port_text = (env.get("SPLOT_SMTP_PORT") or "25").strip()
    if not (port_text.isascii() and port_text.isdigit() and 1 <= int(port_text) <= 65535):
        raise ValueError(f"SPLOT_SMTP_PORT must be a port number from 1 to 65535, got {port_text!r}")
    sender = (env.get("SPLOT_SMTP_FROM") or "").strip()
    if "@" not in sender:
        raise ValueError("SPLOT_SMTP_FROM must be the digest's sender address when SPLOT_SMTP_HOST is set")
    starttls = (env.get("SPLOT_SMTP_STARTTLS") or "0").strip()
    if starttls not in ("0", "1"):
        raise ValueError(f"SPLOT_SMTP_STARTTLS must be 0 or 1, got {starttls!r}")
    return SmtpSettings(host=host, port=int(port_text), sender=sender, user=env.get("SPLOT_SMTP_USER") or None,
                        password=env.get("SPLOT_SMTP_PASSWORD") or None, starttls=starttls == "1")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str | None = None
    signing_key_file: Path | None = None
    default_municipality: str = "Miasto Leszno"
    default_network: str = "Sieć jednostek okołobiznesowych subregionu leszczyńskiego"
    projection_page_size: int = 500
    person_retention_years: int = 5
    privacy_controller: str = "Prezydent Miasta Leszna, ul. Karasia 15, 64-100 Leszno"
    privacy_dpo_contact: str = "iod@leszno.pl"
    smtp: SmtpSettings | None = None  # None: no e-mail is sent (the default)
    public_url: str = ""
    in_memory: bool = False  # unit tests: events in memory, read models in a private SQLite memory db
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def postgres(self) -> PostgresParams | None:
        return PostgresParams.from_url(self.database_url) if self.database_url else None

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.sqlite3"

    @property
    def views_path(self) -> Path:
        return self.data_dir / "views.sqlite3"

    @property
    def directory_path(self) -> Path:
        """Person directory, users and tokens: outside the event log, erasable."""
        return self.data_dir / "directory.sqlite3"

    @property
    def key_file(self) -> Path:
        return self.signing_key_file or self.data_dir / "keys" / "checkpoint-ed25519.pem"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)


def _positive(value: str, name: str) -> int:
    if not value.strip().isascii() or not value.strip().isdigit() or not 1 <= int(value) <= 100:
        raise ValueError(f"{name} must be a whole number of years from 1 to 100, got {value!r}")
    return int(value)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    key_file = env.get("SPLOT_SIGNING_KEY_FILE")
    settings = Settings(
        data_dir=Path(env.get("SPLOT_DATA_DIR", "var")),
        database_url=env.get("SPLOT_DATABASE_URL") or None,
        signing_key_file=Path(key_file) if key_file else None,
        default_municipality=env.get("SPLOT_DEFAULT_MUNICIPALITY", Settings.default_municipality),
        default_network=env.get("SPLOT_DEFAULT_NETWORK", Settings.default_network),
        projection_page_size=int(env.get("SPLOT_PROJECTION_PAGE_SIZE", "500")),
        person_retention_years=_positive(env.get("SPLOT_PERSON_RETENTION_YEARS", "5"), "SPLOT_PERSON_RETENTION_YEARS"),
        privacy_controller=env.get("SPLOT_PRIVACY_CONTROLLER") or Settings.privacy_controller,
        privacy_dpo_contact=env.get("SPLOT_PRIVACY_DPO_CONTACT") or Settings.privacy_dpo_contact,
        smtp=_smtp(env),
        public_url=(env.get("SPLOT_PUBLIC_URL") or "").strip().rstrip("/"),
    )
    if settings.database_url:
        settings.postgres  # noqa: B018 - fail early on a malformed URL
    return settings
