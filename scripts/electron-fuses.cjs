// electron-builder afterPack hook (electron-builder.yml `afterPack`): flips the Electron fuses of
// the packaged binary before it is signed. Fuses are bits compiled into the Electron executable
// that switch features off for good, so nothing at run time (an environment variable, a
// command-line flag, a replaced app folder) can turn them back on.
const { FuseV1Options, FuseVersion } = require('@electron/fuses');

/** The fuse policy of the packaged app. */
function fuseConfig({ platform, arch }) {
  return {
    version: FuseVersion.V1,
    // Not strict: Electron 41's wire has a ninth fuse (index 8, WasmTrapHandlers) that
    // @electron/fuses 1.8 has no name for, and strict mode would refuse the binary. That fuse keeps
    // Electron's default (on: V8 traps out-of-bounds WebAssembly accesses), which is what we want.
    // Upgrading @electron/fuses: set it here explicitly and consider turning strict mode on.
    strictlyRequireAllFuses: false,
    // ELECTRON_RUN_AS_NODE would turn the signed app into a general-purpose Node interpreter
    [FuseV1Options.RunAsNode]: false,
    // NODE_OPTIONS / NODE_EXTRA_CA_CERTS could inject code or trust into the main process
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    // --inspect and SIGUSR1 would open a debugger on the process that holds the exchange keys
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    // app.asar is checked against the hash electron-builder embeds (macOS Info.plist, Windows resource)
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    // ... and only app.asar is ever loaded, so the check cannot be sidestepped with an app/ folder
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    // the renderer is served over app://, never file://
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    // flipping fuses breaks the ad-hoc signature arm64 macOS insists on; electron-builder signs
    // right after this hook, but an unsigned local build must still start
    resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64',
  };
}

/** electron-builder's Arch enum: 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

async function afterPack(context) {
  const config = fuseConfig({ platform: context.electronPlatformName, arch: ARCH_NAMES[context.arch] ?? String(context.arch) });
  // electron-builder's own helper finds the executable for each platform and runs @electron/fuses
  await context.packager.addElectronFuses(context, config);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuseConfig = fuseConfig;
