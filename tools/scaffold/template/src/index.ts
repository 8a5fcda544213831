export * as __Name__Client from "./__Name__Client.js"
export * as __Name__Provider from "./__Name__Provider.js"
