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

/** Fault / reject statuses (`dcerpc.cn_status`), Wireshark's reject_status_vals subset + Win32 codes seen. */
export const FAULT_STATUS = {
  access_denied: 0x00000005,
  nca_s_fault_cant_perform: 0x000006d8,
  nca_s_fault_ndr: 0x000006f7,
  nca_s_fault_int_div_by_zero: 0x1c000001,
  nca_s_fault_addr_error: 0x1c000002,
  nca_s_fault_fp_div_zero: 0x1c000003,
  nca_s_fault_fp_underflow: 0x1c000004,
  nca_s_fault_fp_overflow: 0x1c000005,
  nca_s_fault_invalid_tag: 0x1c000006,
  nca_s_fault_invalid_bound: 0x1c000007,
  nca_rpc_version_mismatch: 0x1c000008,
  nca_unspec_reject: 0x1c000009,
  nca_s_bad_actid: 0x1c00000a,
  nca_who_are_you_failed: 0x1c00000b,
  nca_manager_not_entered: 0x1c00000c,
  nca_s_fault_cancel: 0x1c00000d,
  nca_s_fault_ill_inst: 0x1c00000e,
  nca_s_fault_fp_error: 0x1c00000f,
  nca_s_fault_int_overflow: 0x1c000010,
  nca_s_fault_unspec: 0x1c000012,
  nca_s_fault_remote_comm_failure: 0x1c000013,
  nca_s_fault_pipe_empty: 0x1c000014,
  nca_s_fault_pipe_closed: 0x1c000015,
  nca_s_fault_pipe_order: 0x1c000016,
  nca_s_fault_pipe_discipline: 0x1c000017,
  nca_s_fault_pipe_comm_error: 0x1c000018,
  nca_s_fault_pipe_memory: 0x1c000019,
  nca_s_fault_context_mismatch: 0x1c00001a,
  nca_s_fault_remote_no_memory: 0x1c00001b,
  nca_invalid_pres_context_id: 0x1c00001c,
  nca_unsupported_authn_level: 0x1c00001d,
  nca_invalid_checksum: 0x1c00001f,
  nca_invalid_crc: 0x1c000020,
  nca_s_fault_user_defined: 0x1c000021,
  nca_s_fault_tx_open_failed: 0x1c000022,
  nca_s_fault_codeset_conv_error: 0x1c000023,
  nca_s_fault_object_not_found: 0x1c000024,
  nca_s_fault_no_client_stub: 0x1c000025,
  nca_op_rng_error: 0x1c010002,
  nca_unk_if: 0x1c010003,
  nca_wrong_boot_time: 0x1c010006,
  nca_s_you_crashed: 0x1c010009,
  nca_proto_error: 0x1c01000b,
  nca_out_args_too_big: 0x1c010013,
  nca_server_too_busy: 0x1c010014,
  nca_unsupported_type: 0x1c010017,
} as const;
export const FAULT_STATUS_NAMES: Readonly<Record<number, string>> = invert(FAULT_STATUS);

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
/** Bind-time feature negotiation: the last 8 bytes of the UUID carry the feature bitmask. */
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
