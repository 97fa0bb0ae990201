/**
 * Connection-oriented DCE/RPC constants (C706 ch. 12, MS-RPCE 2.2). Value→name tables are data;
 * unknown values are never an error: `nameOf` returns undefined and callers keep the raw number.
 */

/** PTYPE numbers (`dcerpc.pkt_type`), C706 §12.6.4 plus MS-RPCE auth3. */
export const PTYPE = {
  request: 0,
  ping: 1,
  response: 2,
  fault: 3,
  working: 4,
  nocall: 5,
  reject: 6,
  ack: 7,
  cl_cancel: 8,
  fack: 9,
  cancel_ack: 10,
  bind: 11,
  bind_ack: 12,
  bind_nak: 13,
  alter_context: 14,
  alter_context_resp: 15,
  auth3: 16,
  shutdown: 17,
  co_cancel: 18,
  orphaned: 19,
} as const;
export type PtypeName = keyof typeof PTYPE;

/** C706 names indexed by number. */
export const PTYPE_NAMES: Readonly<Record<number, PtypeName>> = Object.fromEntries(
  Object.entries(PTYPE).map(([k, v]) => [v, k as PtypeName]),
);

/** pfc_flags bits (`dcerpc.cn_flags`). */
export const PFC = {
  FIRST_FRAG: 0x01,
  LAST_FRAG: 0x02,
  /** PENDING_CANCEL; in bind/alter_context MS-RPCE reuses it as SUPPORT_HEADER_SIGN. */
  PENDING_CANCEL: 0x04,
  RESERVED_1: 0x08,
  CONC_MPX: 0x10,
  DID_NOT_EXECUTE: 0x20,
  MAYBE: 0x40,
  OBJECT_UUID: 0x80,
} as const;

/** Names of the set pfc_flags bits, lowest first. */
export const pfcFlagNames = (flags: number): string[] =>
  Object.entries(PFC)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);

/** p_cont_def_result_t (`dcerpc.cn_ack_result`). 3 is MS-RPCE bind-time feature negotiation. */
export const BIND_RESULT = {
  acceptance: 0,
  user_rejection: 1,
  provider_rejection: 2,
  negotiate_ack: 3,
} as const;
export const BIND_RESULT_NAMES: Readonly<Record<number, string>> = invert(BIND_RESULT);

/** p_provider_reason_t (`dcerpc.cn_ack_reason`). */
export const BIND_RESULT_REASON = {
  reason_not_specified: 0,
  abstract_syntax_not_supported: 1,
  proposed_transfer_syntaxes_not_supported: 2,
  local_limit_exceeded: 3,
} as const;
export const BIND_RESULT_REASON_NAMES: Readonly<Record<number, string>> = invert(BIND_RESULT_REASON);

/** bind_nak provider_reject_reason (`dcerpc.cn_reject_reason`), C706 + MS-RPCE 2.2.2.9. */
export const BIND_NAK_REASON = {
  reason_not_specified: 0,
  temporary_congestion: 1,
  local_limit_exceeded: 2,
  called_paddr_unknown: 3,
  protocol_version_not_supported: 4,
  default_context_not_supported: 5,
  user_data_not_readable: 6,
  no_psap_available: 7,
  authentication_type_not_recognized: 8,
  invalid_checksum: 9,
} as const;
export const BIND_NAK_REASON_NAMES: Readonly<Record<number, string>> = invert(BIND_NAK_REASON);

/** auth_type values of the sec_trailer (`dcerpc.auth_type`). */
export const AUTH_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'none',
  1: 'krb5',
  9: 'spnego',
  10: 'ntlmssp',
  14: 'schannel',
  16: 'kerberos',
  68: 'netlogon',
  255: 'default',
};

/** auth_level values of the sec_trailer (`dcerpc.auth_level`). */
export const AUTH_LEVEL_NAMES: Readonly<Record<number, string>> = {
  0: 'default',
  1: 'none',
  2: 'connect',
  3: 'call',
  4: 'packet',
  5: 'packet_integrity',
  6: 'packet_privacy',
};

/** Transfer syntaxes offered in binds. */
export const NDR32_SYNTAX = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0 };
export const NDR64_SYNTAX = { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', major: 1, minor: 0 };
/**
 * Bind-time feature negotiation (detection.md §3.1): the first 8 bytes of the UUID, text
 * `6cb71c2c-9812-4540-`, identify it; the last 8 carry the feature bitmask (0x0003 in captures).
 * The one prefix value: the lab, capture decoding and the probes match syntaxes against it.
 */
export const BTFN_SYNTAX_PREFIX = '6cb71c2c-9812-4540-';
export const btfnSyntax = (features: number) => {
  // The features are a little-endian u64 in UUID bytes 8..15, which text shows in byte order.
  const lo = (features & 0xff).toString(16).padStart(2, '0');
  const hi = ((features >>> 8) & 0xff).toString(16).padStart(2, '0');
  return { uuid: `${BTFN_SYNTAX_PREFIX}${lo}${hi}-000000000000`, major: 1, minor: 0 };
};

/** The zero UUID rejected results carry. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Fixed sizes. */
export const COMMON_HEADER_LENGTH = 16;
export const REQUEST_HEADER_LENGTH = 24;
export const RESPONSE_HEADER_LENGTH = 24;
export const SEC_TRAILER_LENGTH = 8;
/** frag_length is a u16: no PDU is larger. */
export const MAX_FRAG_LENGTH = 0xffff;

export const nameOf = (table: Readonly<Record<number, string>>, value: number): string | undefined =>
  Object.hasOwn(table, value) ? table[value] : undefined;

function invert(o: Readonly<Record<string, number>>): Record<number, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
}
