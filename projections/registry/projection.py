"""Registry tables. Memberships are bitemporal: each row has the business interval
(joined_on..left_on) and the recorded interval (recorded_from..recorded_to), so an as-of report
sees the memberships as they were known on that date."""

from __future__ import annotations

from typing import Any

from domain.registry import Firm, Institution, Municipality, Network, firm_key
from projections.base import Tx, id_text, recorded_at


class RegistryProjection:
    name = "registry"
    version = 3  # v2: registry_institution_names (short names as known at a recorded time); v3: shared networks
    tables = ("registry_municipalities", "registry_networks", "registry_institutions", "registry_firms",
              "registry_network_members", "registry_cluster_members", "registry_institution_names",
              "registry_network_municipalities", "registry_shared_indicators")

    def create_tables(self, tx: Tx) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS registry_municipalities ("
                   "id TEXT PRIMARY KEY, name TEXT NOT NULL, teryt TEXT)")
        tx.execute("CREATE TABLE IF NOT EXISTS registry_networks ("
                   "id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, municipality_ids TEXT NOT NULL)")
        tx.execute("CREATE TABLE IF NOT EXISTS registry_institutions ("
                   "id TEXT PRIMARY KEY, network_id TEXT NOT NULL, name TEXT NOT NULL, short_name TEXT NOT NULL, "
                   "kind TEXT NOT NULL, coordinator_id TEXT, active INTEGER NOT NULL, version INTEGER NOT NULL, "
                   "registered_at TEXT NOT NULL)")
        # Bitemporal short names: source attribution and labels in an as-of report use the names of that day.
        tx.execute("CREATE TABLE IF NOT EXISTS registry_institution_names ("
                   "id TEXT NOT NULL, short_name TEXT NOT NULL, recorded_from TEXT NOT NULL, recorded_to TEXT, "
                   "PRIMARY KEY (id, recorded_from))")
        tx.execute("CREATE TABLE IF NOT EXISTS registry_firms ("
                   "id TEXT PRIMARY KEY, network_id TEXT NOT NULL, name TEXT NOT NULL, nip TEXT, regon TEXT, "
                   "firm_key TEXT NOT NULL, registered_at TEXT NOT NULL)")
        # A shared network's member municipalities (bitemporal like the other memberships) and what each shares.
        tx.execute("CREATE TABLE IF NOT EXISTS registry_shared_indicators ("
                   "network_id TEXT NOT NULL, municipality_id TEXT NOT NULL, indicator_codes TEXT NOT NULL, "
                   "PRIMARY KEY (network_id, municipality_id))")
        for table, group, member in (("registry_network_members", "network_id", "institution_id"),
                                     ("registry_cluster_members", "cluster_id", "firm_id"),
                                     ("registry_network_municipalities", "network_id", "municipality_id")):
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ("
                f"{group} TEXT NOT NULL, {member} TEXT NOT NULL, seq INTEGER NOT NULL, "
                "joined_on TEXT NOT NULL, left_on TEXT, recorded_from TEXT NOT NULL, recorded_to TEXT, "
                f"PRIMARY KEY ({group}, {member}, seq, recorded_from))"
            )

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        at = recorded_at(event.timestamp)
        oid = str(event.originator_id)
        if isinstance(event, Municipality.Registered):
            tx.execute("INSERT INTO registry_municipalities (id, name, teryt) VALUES (?, ?, ?)",
                       (oid, event.name, event.teryt))
        elif isinstance(event, Network.Registered):
            tx.execute("INSERT INTO registry_networks (id, name, kind, municipality_ids) VALUES (?, ?, ?, ?)",
                       (oid, event.name, event.kind, ",".join(map(str, event.municipality_ids))))
        elif isinstance(event, Network.InstitutionJoined):
            self._join(tx, "registry_network_members", "network_id", "institution_id", oid,
                       str(event.institution_id), event.joined_on.isoformat(), at)
        elif isinstance(event, Network.InstitutionLeft):
            self._leave(tx, "registry_network_members", "network_id", "institution_id", oid,
                        str(event.institution_id), event.left_on.isoformat(), at)
        elif isinstance(event, Network.MunicipalityJoined):
            self._join(tx, "registry_network_municipalities", "network_id", "municipality_id", oid,
                       str(event.municipality_id), event.joined_on.isoformat(), at)
        elif isinstance(event, Network.MunicipalityLeft):
            self._leave(tx, "registry_network_municipalities", "network_id", "municipality_id", oid,
                        str(event.municipality_id), event.left_on.isoformat(), at)
        elif isinstance(event, Network.IndicatorsShared):
            tx.execute("DELETE FROM registry_shared_indicators WHERE network_id = ? AND municipality_id = ?",
                       (oid, str(event.municipality_id)))
            tx.execute("INSERT INTO registry_shared_indicators (network_id, municipality_id, indicator_codes) "
                       "VALUES (?, ?, ?)", (oid, str(event.municipality_id), ",".join(event.indicator_codes)))
        elif isinstance(event, Institution.Registered):
            tx.execute(
                "INSERT INTO registry_institutions (id, network_id, name, short_name, kind, coordinator_id, "
                "active, version, registered_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (oid, str(event.network_id), event.name, event.short_name, event.kind,
                 id_text(event.coordinator_id), event.originator_version, at),
            )
            tx.execute("INSERT INTO registry_institution_names (id, short_name, recorded_from, recorded_to) "
                       "VALUES (?, ?, ?, NULL)", (oid, event.short_name, at))
        elif isinstance(event, Institution.Renamed):
            tx.execute("UPDATE registry_institutions SET name = ?, short_name = ? WHERE id = ?",
                       (event.name, event.short_name, oid))
            tx.execute("UPDATE registry_institution_names SET recorded_to = ? WHERE id = ? AND recorded_to IS NULL",
                       (at, oid))
            tx.execute("INSERT INTO registry_institution_names (id, short_name, recorded_from, recorded_to) "
                       "VALUES (?, ?, ?, NULL)", (oid, event.short_name, at))
        elif isinstance(event, Institution.Deactivated):
            tx.execute("UPDATE registry_institutions SET active = 0 WHERE id = ?", (oid,))
        elif isinstance(event, Institution.FirmJoinedCluster):
            self._join(tx, "registry_cluster_members", "cluster_id", "firm_id", oid, str(event.firm_id),
                       event.joined_on.isoformat(), at)
        elif isinstance(event, Institution.FirmLeftCluster):
            self._leave(tx, "registry_cluster_members", "cluster_id", "firm_id", oid, str(event.firm_id),
                        event.left_on.isoformat(), at)
        elif isinstance(event, Firm.Registered):
            tx.execute(
                "INSERT INTO registry_firms (id, network_id, name, nip, regon, firm_key, registered_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (oid, str(event.network_id), event.name, event.nip, event.regon, firm_key(oid, event.nip, event.regon), at),
            )
        # Every later event of an institution moves its version (the one a client must name).
        if isinstance(event, (Institution.Renamed, Institution.Deactivated, Institution.FirmJoinedCluster,
                              Institution.FirmLeftCluster)):
            tx.execute("UPDATE registry_institutions SET version = ? WHERE id = ?", (event.originator_version, oid))

    @staticmethod
    def _join(tx: Tx, table: str, group: str, member: str, group_id: str, member_id: str, joined_on: str,
              at: str) -> None:
        rows = tx.execute(f"SELECT MAX(seq) AS seq FROM {table} WHERE {group} = ? AND {member} = ?",
                          (group_id, member_id))
        seq = (rows[0]["seq"] or 0) + 1
        tx.execute(f"INSERT INTO {table} ({group}, {member}, seq, joined_on, left_on, recorded_from, recorded_to) "
                   "VALUES (?, ?, ?, ?, NULL, ?, NULL)", (group_id, member_id, seq, joined_on, at))

    @staticmethod
    def _leave(tx: Tx, table: str, group: str, member: str, group_id: str, member_id: str, left_on: str,
               at: str) -> None:
        current = tx.execute(
            f"SELECT seq, joined_on FROM {table} WHERE {group} = ? AND {member} = ? AND recorded_to IS NULL "
            "ORDER BY seq DESC LIMIT 1", (group_id, member_id))[0]
        tx.execute(f"UPDATE {table} SET recorded_to = ? WHERE {group} = ? AND {member} = ? AND seq = ? "
                   "AND recorded_to IS NULL", (at, group_id, member_id, current["seq"]))
        tx.execute(f"INSERT INTO {table} ({group}, {member}, seq, joined_on, left_on, recorded_from, recorded_to) "
                   "VALUES (?, ?, ?, ?, ?, ?, NULL)", (group_id, member_id, current["seq"], current["joined_on"],
                                                      left_on, at))
