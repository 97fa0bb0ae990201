/**
 * HRESULT / Win32 / DCE status values seen in activation, OXID, EPM and mgmt replies (MS-ERREF,
 * MS-DCOM, C706 App. E). Data only; unknown values stay numbers.
 */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'S_OK',
  1: 'S_FALSE',
  5: 'ERROR_ACCESS_DENIED',
  87: 'ERROR_INVALID_PARAMETER',
  1722: 'RPC_S_SERVER_UNAVAILABLE',
  1745: 'RPC_S_PROCNUM_OUT_OF_RANGE',
  1752: 'EPT_S_CANT_PERFORM_OP',
  1753: 'EPT_S_NOT_REGISTERED',
  1783: 'RPC_X_BAD_STUB_DATA',
  1910: 'OR_INVALID_OXID',
  382312653: 'EPT_S_CANT_PERFORM_OP',
  382312654: 'EPT_S_NO_MEMORY',
  382312659: 'EPT_S_INVALID_ENTRY',
  382312661: 'EPT_S_INVALID_CONTEXT',
  382312662: 'EPT_S_NOT_REGISTERED',
  2147500033: 'E_NOTIMPL',
  2147500034: 'E_NOINTERFACE',
  2147500037: 'E_FAIL',
  2147549448: 'RPC_E_DISCONNECTED',
  2147549456: 'RPC_E_VERSION_MISMATCH',
  2147549469: 'RPC_E_INVALID_OBJREF',
  2147746132: 'REGDB_E_CLASSNOTREG',
  2147942405: 'E_ACCESSDENIED',
  2147942414: 'E_OUTOFMEMORY',
  2147942487: 'E_INVALIDARG',
  2147944122: 'HRESULT_RPC_S_SERVER_UNAVAILABLE',
  2148007940: 'CO_E_BADPATH',
  2148007941: 'CO_E_SERVER_EXEC_FAILURE',
};

export const statusName = (value: number): string | undefined =>
  Object.hasOwn(STATUS_NAMES, value >>> 0) ? STATUS_NAMES[value >>> 0] : undefined;

/** `0x8001011d` style text used in result records. */
export const statusHex = (value: number): string => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
