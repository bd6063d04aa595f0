"""Run real Kafka and a MongoDB-protocol server (FerretDB) locally, without Docker.

Downloads and builds are cached under ``<repo>/.local/cache``; data lives
under ``<repo>/.local/data``. See deploy/local/README.md.
"""

from .ferretdb import FERRETDB_VERSION, FerretDBServer, provision_ferretdb
from .infra import LocalInfra
from .kafka import KAFKA_VERSION, KafkaServer, provision_kafka
from .kafka_credentials import ADMIN, KafkaCredentials, UnknownKafkaUserError
from .ports import PortInUseError, free_port
from .process import ServerStartError
from .tools import ToolMissingError

__all__ = [
    "ADMIN",
    "FERRETDB_VERSION",
    "KAFKA_VERSION",
    "FerretDBServer",
    "KafkaCredentials",
    "KafkaServer",
    "LocalInfra",
    "PortInUseError",
    "ServerStartError",
    "ToolMissingError",
    "UnknownKafkaUserError",
    "free_port",
    "provision_ferretdb",
    "provision_kafka",
]
