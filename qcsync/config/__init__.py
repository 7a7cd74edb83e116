"""Config files -> DesiredState: variables, schema validation, QuantConnect's rules, merging.

`parse_config` is the pure half: (file name, bytes) pairs and an environment in, a DesiredState
or a ConfigError carrying every issue out. `load_config` is the thin shell that reads files.
The JSON Schema in schemas/qcsync.schema.json is the one source of structural rules; the modules
here add only what a schema cannot say (name rules, uniqueness across files, merging) and turn
validator errors into messages that point at the offending YAML node.

| module        | owns                                                           |
| loading       | files and directories -> (name, bytes); the only I/O           |
| yamlsource    | safe YAML loading with a location for every node: the pipeline |
| yamltext      | bytes -> UTF-8 text; the parser's errors in stable words       |
| yamlcompose   | parser events -> data, located; duplicate keys, merge keys     |
| yamlscalars   | scalars typed as the safe plain types; tags refused            |
| yamllimits    | alias expansion and nesting depth capped                       |
| located       | Document (data + locations), Path, the located issue           |
| variables     | ${VAR}, ${VAR:-default}, $$                                    |
| schema        | the JSON Schema and the fast yes/no check compiled from it     |
| schemacheck   | validator errors -> located, human messages                    |
| names         | QuantConnect's name rules, scope/protect patterns, node refs   |
| merging       | several documents -> one DesiredState; uniqueness across files |
| parsing       | the pipeline: read, expand, check, merge                       |
"""

from qcsync.config.loading import MAX_CONFIG_BYTES, load_config, read_config_sources
from qcsync.config.merging import SETTINGS
from qcsync.config.names import (
    name_problem,
    node_ref_problem,
    pattern_problem,
    recycle_bin_problem,
)
from qcsync.config.parsing import parse_config
from qcsync.config.schema import load_schema, schema_text

__all__ = [
    "MAX_CONFIG_BYTES",
    "SETTINGS",
    "load_config",
    "load_schema",
    "name_problem",
    "node_ref_problem",
    "parse_config",
    "pattern_problem",
    "read_config_sources",
    "recycle_bin_problem",
    "schema_text",
]
