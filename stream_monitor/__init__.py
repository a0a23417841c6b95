"""stream-monitor: Kafka-native monitoring of ML models in production."""

__version__ = "0.1.0"
