/**
 * The one catalogue of rpcsweep error codes. Codes are stable: never reuse or rename one; retire it
 * by moving it to RETIRED_CODES. Every code is documented in docs/errors.md (a test checks both ways).
 * Add new codes in your area's block, keep blocks sorted.
 */
export const ERROR_CODES = {
  // core / generic
  INTERNAL: 'a bug in rpcsweep: an invariant did not hold',
  INVALID_ARGUMENT: 'a function or option received a value outside its documented range',

  // protocol/dcerpc: decoding (errors as values; the throwing twins throw DecodeError with these)
  DCERPC_TRUNCATED: 'the bytes end before the field the decoder needs',
  DCERPC_BAD_VERSION: 'rpc_vers/rpc_vers_minor is not 5.0 or 5.1',
  DCERPC_BAD_FRAG_LEN: 'frag_length is smaller than the header or larger than the allowed maximum',
  DCERPC_BAD_PTYPE: 'the PDU type is not one this decoder handles',
  DCERPC_BAD_DREP: 'the data representation (drep) is not one rpcsweep supports',
  DCERPC_BAD_AUTH_LEN: 'auth_length does not fit inside the PDU',
  DCERPC_BAD_COUNT: 'a count or length field exceeds the bytes that remain or a hard limit',
  DCERPC_BAD_VALUE: 'a field holds a value the specification forbids',
  DCERPC_REASSEMBLY_LIMIT: 'a fragmented call exceeded the reassembly size or fragment-count bound',
  DCERPC_NDR_BAD_POINTER: 'an NDR pointer or referent could not be resolved',
  DCERPC_NDR_BAD_STRING: 'an NDR conformant/varying string is inconsistent (offset, counts or terminator)',

  // protocol/dns
  DNS_MALFORMED: 'a DNS message could not be decoded (truncated, bad lengths or name compression)',
  DNS_ENCODE: 'a DNS message could not be encoded (a label over 63 octets, a bad address, over 65,535 bytes)',

  // capture
  CAPTURE_BAD_FORMAT: 'the file is neither pcap nor pcapng, or its header is corrupt',
  CAPTURE_TRUNCATED: 'a capture record ends before its declared length',
  CAPTURE_UNSUPPORTED_LINKTYPE: 'the capture link type is not Ethernet, Linux cooked, raw IP or loopback',

  // targets
  TARGETS_PARSE: 'a target specification could not be parsed',
  TARGETS_EMPTY: 'after exclusions there is no address left to scan',
  TARGETS_TOO_LARGE: 'the target set exceeds what rpcsweep can enumerate',
  TARGETS_RESOLVE: 'a host or domain name did not resolve',
  TARGETS_BAD_SHARD: 'the --shard value is not i/n with 1 <= i <= n',

  // net
  NET_CONNECT_TIMEOUT: 'no answer to the TCP connect before the deadline',
  NET_REFUSED: 'the peer refused the connection (RST or ICMP port unreachable)',
  NET_UNREACHABLE: 'host or network unreachable (ICMP or no route)',
  NET_READ_TIMEOUT: 'the peer accepted but did not answer before the deadline',
  NET_WRITE_TIMEOUT: 'the peer did not take our request before the deadline (zero window)',
  NET_RESET: 'the peer reset the connection during an exchange',
  NET_CLOSED: 'the peer closed the connection before a whole reply arrived',
  NET_LOCAL_RESOURCES:
    'a local limit was hit (file descriptors, local ports, memory): not a property of the target',
  NET_ABORTED: 'the operation was cancelled by the caller',
  NET_REPLY_TOO_LARGE: 'the peer sent more bytes than the exchange allows',

  // probes / engine
  PROBE_UNEXPECTED_REPLY: 'the peer answered with a PDU the probe did not expect',
  PROBE_HOST_TIMEOUT: 'the host as a whole took longer than --host-timeout',
  PROBE_EPM_TIME_BOUND: 'endpoint-mapper enumeration took longer than its total bound',
  ENGINE_RESUME_MISMATCH: 'the resume file belongs to another scan (targets, seed, shard or format differ)',
  ENGINE_RESUME_CORRUPT: 'the resume file cannot be read or is not valid',

  // scan discovery: the SYN engine in front of the probes (--discovery syn)
  SYN_ENGINE_FAILED: 'the SYN engine (masscan or zmap) stopped with an error or could not start',
  SYN_ENGINE_MISSING:
    '--discovery syn needs masscan or zmap (--syn-engine), and it is not installed or not on PATH',
  SYN_NO_INTERFACE:
    'no interface, source address or router MAC for the SYN engine could be found (give --interface, --source-ip, --router-mac)',
  SYN_NOT_PERMITTED: '--discovery syn sends raw packets: it needs root (or CAP_NET_RAW and CAP_NET_ADMIN)',

  // report / store
  REPORT_UNKNOWN_FORMAT: 'the output format is not one rpcsweep writes',
  REPORT_WRITE: 'the output file could not be written',
  STORE_BUSY: 'the results database stayed locked by another process after retries',
  STORE_NOT_FOUND: 'the results database has no scan with that id, or not enough scans for the command',
  STORE_OPEN:
    'the results database cannot be opened (missing directory, read-only, corrupt, wrong password, server unreachable)',
  STORE_SCHEMA: 'the results database was made by a newer rpcsweep (schema version too high)',
  STORE_WRITE: 'a write to or read from the results database failed',

  // lab
  LAB_SPEC_INVALID: 'the lab specification does not validate',
  LAB_UNKNOWN_PROFILE: 'the lab specification names a profile that does not exist',
  LAB_NEEDS_ROOT: 'this lab feature needs root (nftables or network namespaces)',
  LAB_LISTEN: 'the lab could not listen on an address',
  LAB_SETUP: 'setting up nftables rules or namespaces failed',

  // ioc
  IOC_HIVE_CORRUPT: 'a registry hive is corrupt or not a regf file',
  IOC_REG_EXPORT_PARSE: 'a .reg export file could not be parsed',
  IOC_PATH: 'the artifact path does not exist or cannot be read',
  IOC_TASKLIST_PARSE: 'a tasklist /fo csv export could not be parsed',

  // sim
  SIM_BAD_INPUT: 'the simulation input (scan results or options) is invalid',

  // triage
  TRIAGE_TCPDUMP_MISSING:
    'triage --live needs tcpdump (the capture engine), and it is not installed or not on PATH',
  TRIAGE_CAPTURE_PRIVILEGE: 'tcpdump may not capture on the interface: run as root or grant CAP_NET_RAW',
  TRIAGE_LIVE_FAILED: 'tcpdump stopped or failed during a live triage',

  // cli
  CLI_USAGE: 'the command line is invalid',
  CLI_FILE: 'an input file named on the command line cannot be read',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes that were used once and must never be reused. */
/** TARGETS_DNS_MALFORMED: now DNS_MALFORMED (the DNS codec moved from net to protocol/dns). */
export const RETIRED_CODES: readonly string[] = ['TARGETS_DNS_MALFORMED'];
