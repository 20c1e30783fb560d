"""Local single-node Apache Kafka (KRaft) broker fetched from Maven Central.

See :class:`LocalKafka`.
"""

from .errors import BrokerError
from .fetch import DEFAULT_KAFKA_VERSION, default_cache_dir
from .local import BrokerStatus, LocalKafka

__all__ = ["BrokerError", "BrokerStatus", "DEFAULT_KAFKA_VERSION", "LocalKafka", "default_cache_dir"]
