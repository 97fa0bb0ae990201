/**
 * Names of well-known RPC interfaces (MS-RPCE / MS-DCOM / protocol specs; the same facts impacket's
 * KNOWN_UUIDS and Wireshark's dissector tables carry). Data only; lower-case UUIDs.
 */
export const KNOWN_INTERFACES: Readonly<Record<string, string>> = {
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa': 'EPM (endpoint mapper)',
  'afa8bd80-7d8a-11c9-bef4-08002b102989': 'MGMT (remote management)',
  '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57': 'IRemoteActivation (REMACT)',
  '000001a0-0000-0000-c000-000000000046': 'ISystemActivator (IRemoteSCMActivator)',
  '99fcfec4-5260-101b-bbcb-00aa0021347a': 'IObjectExporter (IOXIDResolver)',
  'e60c73e6-88f9-11cf-9af1-0020af6e72f4': 'ILocalObjectExporter',
  '00000131-0000-0000-c000-000000000046': 'IRemUnknown',
  '00000143-0000-0000-c000-000000000046': 'IRemUnknown2',
  '00000136-0000-0000-c000-000000000046': 'ISCMActivator',
  '0b0a6584-9e0f-11cf-a3cf-00805f68cb1b': 'localepmp',
  '1d55b526-c137-46c5-ab79-638f2a68e869': 'DbgIdl (rpcss debug)',
  '412f241e-c12a-11ce-abff-0020af6e7a17': 'ISCM (rpcss)',
  'b9e79e60-3d52-11ce-aaa1-00006901293f': 'IROT (running object table)',
  'c6f3ee72-ce7e-11d1-b71e-00c04fc3111a': 'IMachineActivatorControl',
  '367abb81-9844-35f1-ad32-98f038001003': 'SVCCTL (service control manager)',
  '12345778-1234-abcd-ef00-0123456789ab': 'LSARPC',
  '12345778-1234-abcd-ef00-0123456789ac': 'SAMR',
  '12345678-1234-abcd-ef00-01234567cffb': 'NETLOGON',
  '4b324fc8-1670-01d3-1278-5a47bf6ee188': 'SRVSVC',
  '6bffd098-a112-3610-9833-46c3f87e345a': 'WKSSVC',
  '1ff70682-0a51-30e8-076d-740be8cee98b': 'ATSVC (task scheduler)',
  '378e52b0-c0a9-11cf-822d-00aa0051e40f': 'SASEC (task scheduler)',
  '86d35949-83c9-4044-b424-db363231fd0c': 'ITaskSchedulerService',
  '82273fdc-e32a-18c3-3f78-827929dc23ea': 'EVENTLOG',
  'f6beaff7-1e19-4fbb-9f8f-b89e2018337c': 'EVEN6 (event log)',
  '338cd001-2244-31f1-aaaa-900038001003': 'WINREG',
  '12345678-1234-abcd-ef00-0123456789ab': 'SPOOLSS',
  '76f03f96-cdfd-44fc-a22c-64950a001209': 'IRemoteWinspool',
  'e3514235-4b06-11d1-ab04-00c04fc2dcd2': 'DRSUAPI',
  '50abc2a4-574d-40b3-9d66-ee4fd5fba076': 'DNSSERVER',
  '4fc742e0-4a10-11cf-8273-00aa004ae673': 'NETDFS',
  '3919286a-b10c-11d0-9ba8-00c04fd92ef5': 'DSSETUP',
  '8d9f4e40-a03d-11ce-8f69-08003e30051b': 'PNP (plug and play)',
  '894de0c0-0d55-11d3-a322-00c04fa321a1': 'InitShutdown',
  'd95afe70-a6d5-4259-822e-2c84da1ddb0d': 'WindowsShutdown',
  '12b81e99-f207-4a4c-85d3-77b42f76fd14': 'ISeclogon',
  '3473dd4d-2e88-4006-9cba-22570909dd10': 'WinHttp auto-proxy',
  '5a7b91f8-ff00-11d0-a9b2-00c04fb6e6fc': 'MSGSVC (messenger)',
  '17fdd703-1827-4e34-79d4-24a55c53bb37': 'MSGSVC send',
  '3dde7c30-165d-11d1-ab8f-00805f14db40': 'BackupKey',
  'f5cc59b4-4264-101a-8c59-08002b2f8426': 'FRSRPC',
  '2f5f6521-cb55-1059-b446-00df0bce31db': 'UNIMODEM',
  '6bffd098-a112-3610-9833-012892020162': 'BROWSER',
  '45f52c28-7f9f-101a-b52b-08002b2efabe': 'WINS',
  '3c4728c5-f0ab-448b-bda1-6ce01eb0a6d5': 'DHCPCSVC',
  '300f3532-38cc-11d0-a3f0-0020af6b0add': 'TRKWKS (distributed link tracking)',
  '8a885d04-1ceb-11c9-9fe8-08002b104860': 'NDR transfer syntax',
  '71710533-beba-4937-8319-b5dbef9ccc36': 'NDR64 transfer syntax',
};

export const knownInterfaceName = (uuid: string): string | undefined => {
  const k = uuid.toLowerCase();
  return Object.hasOwn(KNOWN_INTERFACES, k) ? KNOWN_INTERFACES[k] : undefined;
};
