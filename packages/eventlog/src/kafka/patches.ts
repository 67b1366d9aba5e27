// kafkajs's modules replaced by ours (see each): imported before anything imports "kafkajs".
import "./linear-grouping";
import "./crc32c";
import "./record-encoding";
import "./record-decoding";
import "./produce-encoding";
