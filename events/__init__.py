"""The wire contract: vocabulary, schema, codec and topics. Imports neither Flask nor the database."""
from events.codec import ClearanceEvent, InvalidEvent, decode, encode, from_document, message_key

__all__ = ["ClearanceEvent", "InvalidEvent", "decode", "encode", "from_document", "message_key"]
