/**
 * The one status table: HRESULTs, Win32 and DCE statuses that activation, OXID, EPM and mgmt replies
 * carry, and the fault statuses of fault PDUs (MS-ERREF, MS-DCOM, C706 App. E, Wireshark's
 * reject_status_vals). Data only; classify, the lab, capture decoding and the reports take their
 * numbers and names from here. Unknown values stay numbers.
 */

/** HRESULTs (MS-ERREF 2.1), the ones the decision table and the lab use among them (detection.md §8). */
export const HRESULT = {
  S_OK: 0x00000000,
  S_FALSE: 0x00000001,
  E_NOTIMPL: 0x80004001,
  E_NOINTERFACE: 0x80004002,
  E_FAIL: 0x80004005,
  RPC_E_DISCONNECTED: 0x80010108,
  RPC_E_VERSION_MISMATCH: 0x80010110,
  RPC_E_INVALID_OBJREF: 0x8001011d,
  REGDB_E_CLASSNOTREG: 0x80040154,
  E_ACCESSDENIED: 0x80070005,
  E_OUTOFMEMORY: 0x8007000e,
  E_INVALIDARG: 0x80070057,
  HRESULT_RPC_S_SERVER_UNAVAILABLE: 0x800706ba,
  CO_E_BADPATH: 0x80080004,
  CO_E_SERVER_EXEC_FAILURE: 0x80080005,
} as const;

/** Win32 errors returned as statuses (MS-ERREF 2.2). */
export const WIN32_STATUS = {
  ERROR_ACCESS_DENIED: 5,
  ERROR_INVALID_PARAMETER: 87,
  RPC_S_SERVER_UNAVAILABLE: 1722,
  RPC_S_PROCNUM_OUT_OF_RANGE: 1745,
  EPT_S_CANT_PERFORM_OP: 1752,
  EPT_S_NOT_REGISTERED: 1753,
  RPC_X_BAD_STUB_DATA: 1783,
  OR_INVALID_OXID: 1910,
} as const;

/** The endpoint mapper's DCE error_status_t values (C706 App. E). */
export const EPM_STATUS = {
  OK: 0,
  EPT_S_CANT_PERFORM_OP: 0x16c9a0cd,
  EPT_S_NO_MEMORY: 0x16c9a0ce,
  EPT_S_INVALID_ENTRY: 0x16c9a0d3,
  EPT_S_INVALID_CONTEXT: 0x16c9a0d5,
  EPT_S_NOT_REGISTERED: 0x16c9a0d6,
} as const;

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

const invert = (...tables: Array<Readonly<Record<string, number>>>): Record<number, string> => {
  const out: Record<number, string> = {};
  for (const t of tables) for (const [name, value] of Object.entries(t)) out[value >>> 0] ??= name;
  return out;
};

/** Names of the statuses a reply stub carries (phr, status, error_status_t). */
export const STATUS_NAMES: Readonly<Record<number, string>> = invert(HRESULT, WIN32_STATUS, EPM_STATUS);
/** Names of fault PDU statuses (`dcerpc.cn_status`). */
export const FAULT_STATUS_NAMES: Readonly<Record<number, string>> = invert(FAULT_STATUS);

const lookup = (table: Readonly<Record<number, string>>, value: number): string | undefined =>
  Object.hasOwn(table, value >>> 0) ? table[value >>> 0] : undefined;

export const statusName = (value: number): string | undefined => lookup(STATUS_NAMES, value);
export const faultStatusName = (value: number): string | undefined => lookup(FAULT_STATUS_NAMES, value);

/** `0x8001011d` style text used in result records and reasons. */
export const statusHex = (value: number): string => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
