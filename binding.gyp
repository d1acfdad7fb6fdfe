{
  "targets": [
    {
      "target_name": "netdev",
      "sources": [
        "native/addon.cc",
        "native/codec.cc",
        "native/codec_addr.cc",
        "native/codec_link.cc",
        "native/codec_neigh.cc",
        "native/codec_nsid.cc",
        "native/codec_route.cc",
        "native/codec_rule.cc",
        "native/codec_util.cc",
        "native/contract.cc",
        "native/handover.cc",
        "native/kinds.cc",
        "native/monitor.cc",
        "native/napi_error.cc",
        "native/netns.cc",
        "native/netns_ref.cc",
        "native/nlsock.cc",
        "native/packet_queue.cc",
        "native/poll_handle.cc",
        "native/poller.cc",
        "native/sockets.cc",
        "native/sysctl.cc",
        "native/tapdev.cc",
        "native/tun.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-fPIC"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-Wno-missing-field-initializers",
                    "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-D_GLIBCXX_ASSERTIONS"],
      "ldflags": ["-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack"],
      "conditions": [
        ["OS!='linux'", { "sources": [] }]
      ]
    },
    {
      "target_name": "netdev-exec",
      "type": "executable",
      "sources": ["native/netns_exec.cc"],
      "defines": ["_GNU_SOURCE"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-O2", "-fPIE"],
      "ldflags": ["-pie", "-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack"]
    }
  ]
}
