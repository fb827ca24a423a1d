// This package holds the plugin SDK's types only. At run time LILLYDOO Pulse hands a drop-in plugin its
// own SDK under this name: load the plugin through [plugins] dir, never from here.
throw new Error('@lillydoo-pulse/plugin-sdk is provided by LILLYDOO Pulse at run time; install the plugin into [plugins] dir');
