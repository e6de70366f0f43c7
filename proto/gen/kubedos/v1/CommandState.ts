// Original file: proto/kubedos/v1/hub.proto


export interface CommandState {
  'argv'?: (string)[];
  'creates'?: (string);
  'unless'?: (string)[];
  'onlyif'?: (string)[];
  'timeoutMs'?: (number);
  'env'?: ({[key: string]: string});
  'cwd'?: (string);
  'secretOutput'?: (boolean);
}

export interface CommandState__Output {
  'argv': (string)[];
  'creates': (string);
  'unless': (string)[];
  'onlyif': (string)[];
  'timeoutMs': (number);
  'env': ({[key: string]: string});
  'cwd': (string);
  'secretOutput': (boolean);
}
