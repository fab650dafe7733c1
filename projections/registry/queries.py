"""Questions answered by the registry read model."""

from __future__ import annotations

from typing import Any

from projections.base import Tx


def list_institutions(tx: Tx, network_id: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM registry_institutions WHERE 1=1"
    params: list[Any] = []
    if network_id:
        sql += " AND network_id = ?"
        params.append(network_id)
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    return tx.execute(sql + " ORDER BY short_name, id", params)


def institution_by_short_name(tx: Tx, short_name: str) -> dict[str, Any] | None:
    rows = tx.execute("SELECT * FROM registry_institutions WHERE lower(short_name) = lower(?) ORDER BY active DESC",
                      (short_name,))
    return rows[0] if rows else None


def list_firms(tx: Tx, network_id: str | None = None) -> list[dict[str, Any]]:
    if network_id:
        return tx.execute("SELECT * FROM registry_firms WHERE network_id = ? ORDER BY name, id", (network_id,))
    return tx.execute("SELECT * FROM registry_firms ORDER BY name, id")


def list_networks(tx: Tx) -> list[dict[str, Any]]:
    return tx.execute("SELECT * FROM registry_networks ORDER BY name")


def network_members(tx: Tx, network_id: str) -> list[dict[str, Any]]:
    """Current knowledge of every membership interval of the network."""
    return tx.execute(
        "SELECT m.*, i.short_name, i.name FROM registry_network_members m "
        "JOIN registry_institutions i ON i.id = m.institution_id "
        "WHERE m.network_id = ? AND m.recorded_to IS NULL ORDER BY i.short_name, m.seq", (network_id,))


def cluster_members(tx: Tx, cluster_id: str) -> list[dict[str, Any]]:
    return tx.execute(
        "SELECT m.*, f.name, f.nip, f.regon FROM registry_cluster_members m "
        "JOIN registry_firms f ON f.id = m.firm_id "
        "WHERE m.cluster_id = ? AND m.recorded_to IS NULL ORDER BY f.name, m.seq", (cluster_id,))


def list_municipalities(tx: Tx) -> list[dict[str, Any]]:
    return tx.execute("SELECT * FROM registry_municipalities ORDER BY name, id")


def network_municipalities(tx: Tx) -> list[dict[str, Any]]:
    """Current knowledge of every shared network's member municipalities (one row per interval), with the
    indicator codes each shares (comma-separated, '' when none)."""
    return tx.execute(
        "SELECT m.network_id, m.municipality_id, m.seq, m.joined_on, m.left_on, mu.name AS municipality_name, "
        "COALESCE(s.indicator_codes, '') AS indicator_codes FROM registry_network_municipalities m "
        "JOIN registry_municipalities mu ON mu.id = m.municipality_id "
        "LEFT JOIN registry_shared_indicators s ON s.network_id = m.network_id AND s.municipality_id = m.municipality_id "
        "WHERE m.recorded_to IS NULL ORDER BY m.network_id, mu.name, m.municipality_id, m.seq")
