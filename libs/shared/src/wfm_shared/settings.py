"""Configuration from the environment (prefix WFM_; DATABASE_URL and MONGODB_URL unprefixed too)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from wfm_shared.sealing import parse_keyring
from wfm_shared.url_policy import parse_allowed_host

DEFAULT_JWT_SECRET = "dev-only-secret-change-me-before-production!!"


class InsecureConfiguration(ValueError):
    """Raised when production settings would run with a development default."""


class Settings(BaseSettings):
    # hide_input_in_errors: a malformed secret (a key, a password) is never echoed back
    model_config = SettingsConfigDict(
        env_prefix="WFM_", extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    env: Literal["dev", "test", "production"] = "dev"

    # Postgres: the owner URL runs migrations; the API and worker log in as the app role.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "WFM_DATABASE_URL")
    )
    app_database_url: str | None = None
    app_db_user: str = "wfm_app"
    app_db_password: SecretStr = SecretStr("wfm_app")
    db_pool_min: int = 1
    db_pool_max: int = 10

    mongodb_url: str | None = Field(
        default=None, validation_alias=AliasChoices("MONGODB_URL", "WFM_MONGODB_URL")
    )
    mongodb_database: str = "wfm"
    # FerretDB on PostgreSQL: the owner's URL of the database it stores in, where
    # `wfm migrate` adds the expression indexes its reads need (unused on MongoDB)
    ferretdb_postgresql_url: str | None = None

    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_issuer: str = "workflow-manager"
    jwt_audience: str = "wfm-api"
    access_token_ttl_seconds: int = Field(default=900, gt=0)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, gt=0)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".wfm")
    graphiql: bool | None = None
    log_level: str = "INFO"
    log_json: bool = True

    # worker
    worker_concurrency: int = Field(default=10, ge=1, le=200)
    job_timeout_seconds: float = Field(default=60.0, gt=0)
    # a job whose worker stopped beating for this long is picked again (visibility timeout)
    job_heartbeat_timeout_seconds: float = Field(default=30.0, gt=0)
    job_max_attempts: int = Field(default=8, ge=1, le=50)
    # retries wait base * 2**(attempt - 1), capped, with full jitter
    retry_base_seconds: float = Field(default=2.0, gt=0)
    retry_cap_seconds: float = Field(default=3600.0, gt=0)
    timer_interval_seconds: float = Field(default=5.0, gt=0)
    reconcile_interval_seconds: float = Field(default=300.0, gt=0)
    # how often the worker sweeps finished workflows past their retention period
    retention_interval_seconds: float = Field(default=3600.0, gt=0)
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = Field(default=9102, ge=0)  # 0: no metrics endpoint

    # integrations
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "Workflow Manager <no-reply@wfm.local>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    kong_admin_url: str | None = None
    # ClamAV's daemon, which scans every uploaded file before it can be downloaded:
    # tcp://host:port or unix:///path/to/clamd.sock (None: files are accepted unscanned)
    clamd_address: str | None = None
    # where people reach the platform: the links of invitation and password-reset mails
    public_url: str = "http://localhost:8000"
    invitation_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    # market roles whose participants get API access (a Kong consumer) once onboarded
    kong_roles: list[str] = Field(default_factory=lambda: ["BRP", "BSP", "ACH", "CRM"])
    # encrypts an API key while it waits to be read once (None: a key derived from
    # WFM_JWT_SECRET; set it apart so that a new JWT secret leaves unread keys readable)
    credential_secret: SecretStr | None = None
    # the keyring of values kept encrypted at rest (tenant secrets, webhook signing secrets;
    # wfm_shared.sealing): Fernet keys, comma-separated, the first seals and every one opens
    # (`wfm secrets generate-key` makes one); None: a key derived from WFM_CREDENTIAL_SECRET
    # (else WFM_JWT_SECRET), outside production only
    secret_keys: SecretStr | None = None
    # outgoing calls made for users (webhooks, api_call steps; wfm_shared.url_policy):
    # plain http allowed (None: everywhere but in production), and the host names
    # ("hooks.corp.example", "*.corp.example"), addresses and networks that may be called
    # although they are not public
    outgoing_http_allowed: bool | None = None
    outgoing_allowed_hosts: list[str] = Field(default_factory=list)

    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 3000
    max_page_size: int = 100
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # (what users may store is fixed, not configured: `wfm_shared.limits`)
    # a database that stops answering fails the statement after this long
    database_timeout_seconds: float = Field(default=30.0, gt=0)
    # benchmarks: database round trips of each request in the x-wfm-round-trips header
    expose_round_trips: bool = False

    # login throttling (counted in PostgreSQL: one budget for every API process): failed
    # logins per account, attempts per client address
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_failure_window_seconds: float = Field(default=15 * 60, gt=0)
    login_max_attempts_per_address: int = Field(default=20, ge=1)
    login_address_window_seconds: float = Field(default=60, gt=0)
    # inbound webhooks (`POST /hooks/{triggerId}`): requests per trigger within the window
    hook_max_requests: int = Field(default=60, ge=1)
    hook_window_seconds: float = Field(default=60, gt=0)
    # market-operations users must enrol a second factor (TOTP) before anything else
    # (None: in production only)
    mfa_required_for_market_ops: bool | None = None
    # peers (addresses or networks) whose X-Forwarded-For names the client
    trusted_proxies: list[str] = Field(default_factory=list)
    # The HTTP surface. Introspection (None: on outside production); without it, validation
    # errors carry no "Did you mean …?" either (they would spell the schema out).
    graphql_introspection: bool | None = None
    # uvicorn (`wfm serve`): idle keep-alive connections close after this long; a request's
    # headers, and its body, must arrive within these (a slow client holds nothing forever)
    http_keep_alive_seconds: int = Field(default=5, ge=1)
    http_header_timeout_seconds: float = Field(default=10.0, gt=0)
    http_body_timeout_seconds: float = Field(default=30.0, gt=0)
    # connections and requests in flight per process before new ones get 503 (None: no cap)
    http_max_concurrency: int | None = Field(default=None, ge=1)
    # live updates (GraphQL subscriptions over WebSocket): subscriptions per connection,
    # connections per user in each API process, and the changes a subscription may have
    # waiting before it is sent a fresh state instead (a slow client costs no memory)
    live_max_subscriptions_per_connection: int = Field(default=20, ge=1)
    live_max_connections_per_user: int = Field(default=10, ge=1)
    live_queue_size: int = Field(default=100, ge=1)
    # the built web app the API serves at / (None: the API package's static/web folder)
    web_dir: Path | None = None
    # origins (scheme://host[:port]) of web apps hosted elsewhere that may call /graphql and
    # /auth/* from a browser, with credentials; comma-separated (or a JSON list); none: no CORS
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # a ValueError names the bad entry
        return value

    @field_validator("outgoing_allowed_hosts")
    @classmethod
    def _allowed_hosts_are_hosts(cls, value: list[str]) -> list[str]:
        for entry in value:
            parse_allowed_host(entry)  # a ValueError names the bad entry
        return value

    @field_validator("clamd_address", mode="before")
    @classmethod
    def _clamd_address_is_a_socket(cls, value: object) -> object:
        if isinstance(value, str):
            return socket_address(value, setting="WFM_CLAMD_ADDRESS") if value.strip() else None
        return value  # pydantic says what is wrong with it

    @field_validator("secret_keys")
    @classmethod
    def _secret_keys_are_fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_keyring(value.get_secret_value())  # a ValueError names the bad entry
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _cors_origins_are_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if not isinstance(value, list):
            return value  # pydantic says what is wrong with it
        return [cors_origin(str(entry)) for entry in value if str(entry).strip()]

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.env == "production":
            secret = self.jwt_secret.get_secret_value()
            if secret == DEFAULT_JWT_SECRET or len(secret) < 32:
                raise InsecureConfiguration(
                    "WFM_JWT_SECRET must be set to a secret of at least 32 characters in production"
                )
            credential = self.credential_secret
            if credential is not None and len(credential.get_secret_value()) < 32:
                raise InsecureConfiguration(
                    "WFM_CREDENTIAL_SECRET must be at least 32 characters in production"
                )
            if self.secret_keys is None:
                # a key derived from the JWT secret would be lost with the next JWT secret
                raise InsecureConfiguration(
                    "WFM_SECRET_KEYS must be set in production: one or more keys, "
                    "comma-separated, made by `wfm secrets generate-key`"
                )
        return self

    @property
    def outgoing_http_permitted(self) -> bool:
        if self.outgoing_http_allowed is not None:
            return self.outgoing_http_allowed
        return self.env != "production"

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.env != "production"

    @property
    def market_ops_mfa_required(self) -> bool:
        if self.mfa_required_for_market_ops is not None:
            return self.mfa_required_for_market_ops
        return self.env == "production"

    @property
    def introspection_enabled(self) -> bool:
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return self.env != "production"

    def app_dsn(self) -> str:
        """The DSN the API and worker use: explicit, or the owner URL with the app role's login."""
        if self.app_database_url:
            return self.app_database_url
        if not self.database_url:
            raise ValueError("DATABASE_URL is not set")
        return with_credentials(
            self.database_url, self.app_db_user, self.app_db_password.get_secret_value()
        )


DEFAULT_PORTS = {"http": 80, "https": 443}


def cors_origin(entry: str) -> str:
    """One allowed CORS origin, as browsers send it in `Origin`: scheme://host[:port]."""
    text = entry.strip()
    if text == "*":
        raise ValueError(
            "WFM_CORS_ORIGINS may not be '*': browsers send credentials to the API, so every "
            "allowed origin must be named (e.g. https://console.example.com)"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"WFM_CORS_ORIGINS: {entry!r} is not an origin: expected scheme://host[:port], "
            "such as https://console.example.com"
        )
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    # as a browser writes it: lower case, no default port
    shown_port = port is not None and port != DEFAULT_PORTS[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if shown_port else "")


def socket_address(entry: str, *, setting: str) -> str:
    """Where a local service listens, as `tcp://host:port` or `unix:///absolute/path`;
    returned as written (spaces aside), a ValueError says what is wrong."""
    text = entry.strip()
    expected = f"{setting}: {entry!r} is not tcp://host:port or unix:///absolute/path"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(expected) from None
    if parts.query or parts.fragment or parts.username is not None or parts.password is not None:
        raise ValueError(expected)
    absolute_path = parts.path.startswith("/") and parts.path != "/"
    if parts.scheme == "unix" and not parts.netloc and absolute_path:
        return text
    if parts.scheme == "tcp" and parts.hostname and port and parts.path in {"", "/"}:
        return text
    raise ValueError(expected)


def with_credentials(dsn: str, user: str, password: str) -> str:
    """Replace the user and password of a postgres URL, keeping host, socket and options."""
    parts = urlsplit(dsn)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
