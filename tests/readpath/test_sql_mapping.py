"""schema/sql_reads.py's mapping is consistent with the schema and the domains' fragments: every
mapped field exists, a leaf maps to a column of the node every relation to its type reaches, an
object or list field to a relation of the right cardinality. (A mistake here would otherwise
surface as a request error, or as a statement PostgreSQL refuses.)"""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, build_schema, get_named_type

from schema.sql_reads import PAGE_ARGUMENTS, TYPES, Leaf, Link, PageLink

SCHEMA = build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text())


def _is_list(type_: object) -> bool:
    return isinstance(type_.of_type if isinstance(type_, GraphQLNonNull) else type_, GraphQLList)


def test_every_mapped_field_reads_what_its_node_has():
    reached: dict[str, list] = {}
    for type_name, fields in TYPES.items():
        graphql_type = SCHEMA.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType), type_name
        for name, spec in fields.items():
            assert name in graphql_type.fields, f"{type_name}.{name}"
            field = graphql_type.fields[name]
            if isinstance(spec, Link):
                target = get_named_type(field.type).name
                assert target in TYPES, f"{type_name}.{name}: {target} is not mapped"
                assert spec.relation.many == _is_list(field.type), f"{type_name}.{name}"
                assert set(spec.arguments) <= set(field.args), f"{type_name}.{name}"
                for relation in (spec.relation, spec.omitted):
                    if relation is not None:
                        assert relation.many == spec.relation.many
                        reached.setdefault(target, []).append(relation.target)
            elif isinstance(spec, PageLink):
                # A connection: its nodes are the page's rows.
                connection = get_named_type(field.type)
                assert isinstance(connection, GraphQLObjectType), f"{type_name}.{name}"
                edges = connection.fields["edges"].type
                assert _is_list(edges), f"{type_name}.{name}"
                target = get_named_type(get_named_type(edges).fields["node"].type).name
                assert target in TYPES, f"{type_name}.{name}: {target} is not mapped"
                assert set(field.args) == PAGE_ARGUMENTS | set(spec.filters), f"{type_name}.{name}"
                reached.setdefault(target, []).append(spec.page.target)
            else:
                assert isinstance(spec, Leaf) and not field.args, f"{type_name}.{name}"
    for type_name, nodes in reached.items():
        columns = {spec.column for spec in TYPES[type_name].values() if isinstance(spec, Leaf)}
        for node in nodes:
            assert columns <= set(node.columns), (type_name, columns - set(node.columns))
