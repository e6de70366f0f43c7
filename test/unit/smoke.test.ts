import assert from 'node:assert/strict';
describe('runtime', () => {
  it('runs on the pinned Node 24', () => {
    assert.equal(process.versions.node.split('.')[0], '24');
  });
});
