import { crashIdentity, normalizeFrame, topFrames } from '../src/crashes/crash-fingerprint';

/** Two builds of the same bug, as different devices report them. */
const traces = {
  jvm: [
    `java.lang.NullPointerException: Attempt to invoke virtual method 'int java.lang.String.length()' on a null object reference
        at com.example.notes.editor.NoteEditor.save(NoteEditor.java:142)
        at com.example.notes.editor.NoteEditor.access$200(NoteEditor.java:37)
        at com.example.notes.editor.NoteEditor$3.onClick(NoteEditor.java:98)
        at android.view.View.performClick(View.java:7448)
        at android.view.View.performClickInternal(View.java:7425)
        at android.view.View.access$3600(View.java:810)`,
    `java.lang.NullPointerException: Attempt to invoke virtual method 'int java.lang.String.length()' on a null object reference
        at com.example.notes.editor.NoteEditor.save(NoteEditor.java:151)
        at com.example.notes.editor.NoteEditor.access$200(NoteEditor.java:40)
        at com.example.notes.editor.NoteEditor$3.onClick(NoteEditor.java:104)
        at android.view.View.performClick(View.java:7506)
        at android.view.View.performClickInternal(View.java:7483)
        at android.os.Handler.handleCallback(Handler.java:942)`,
  ],
  native: [
    `signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0000000000000010
      #00 pc 000000000004f2a8  /data/app/~~Xa81kQ==/com.example.notes-9sLk2Q==/lib/arm64/libnotes.so (render_note+164) (BuildId: 8f3c2a1b9d0e4f5a6b7c8d9e0f1a2b3c)
      #01 pc 000000000004e010  /data/app/~~Xa81kQ==/com.example.notes-9sLk2Q==/lib/arm64/libnotes.so (layout_page+72)
      #02 pc 00000000000b1c3c  /apex/com.android.runtime/lib64/bionic/libc.so (__pthread_start(void*)+208) (BuildId: 1a2b3c4d5e6f7a8b)`,
    `signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0000000000000018
      #00 pc 0x0000000000051c04  /data/app/~~pQ77zz==/com.example.notes-Ab12Cd==/lib/arm64/libnotes.so (render_note+0xb4) (BuildId: 0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f)
      #01 pc 0x0000000000050a8c  /data/app/~~pQ77zz==/com.example.notes-Ab12Cd==/lib/arm64/libnotes.so (layout_page+0x50)
      #02 pc 0x00000000000b2d10  /apex/com.android.runtime/lib64/bionic/libc.so (__pthread_start(void*)+212)`,
  ],
  apple: [
    `Thread 0 Crashed:
0   libsystem_kernel.dylib        	0x00007fff2035c92e __pthread_kill + 10
1   libsystem_pthread.dylib       	0x00007fff2038b5bd pthread_kill + 263
2   Notes                         	0x0000000100003f33 -[NoteEditor save:] + 51`,
    `Thread 0 Crashed:
0   libsystem_kernel.dylib        	0x00007ff81a6ef00e __pthread_kill + 10
1   libsystem_pthread.dylib       	0x00007ff81a7251ff pthread_kill + 263
2   Notes                         	0x0000000104a81c27 -[NoteEditor save:] + 87`,
  ],
  javascript: [
    `TypeError: Cannot read properties of undefined (reading 'title')
    at renderNote (https://cdn.example.com/static/js/main.3f9a1c2e.js:2:10423)
    at Array.map (<anonymous>)
    at NoteList (https://cdn.example.com/static/js/main.3f9a1c2e.js:2:11876)`,
    `TypeError: Cannot read properties of undefined (reading 'title')
    at renderNote (https://cdn.example.com/static/js/main.77b0d41f.js:2:10588)
    at Array.map (<anonymous>)
    at NoteList (https://cdn.example.com/static/js/main.77b0d41f.js:2:12020)`,
  ],
  firefox: [
    `renderNote@https://cdn.example.com/static/js/main.3f9a1c2e.js?v=12:2:10423\nNoteList@https://cdn.example.com/static/js/main.3f9a1c2e.js:2:11876`,
    `renderNote@https://cdn.example.com/static/js/main.77b0d41f.js?v=13:2:10588\nNoteList@https://cdn.example.com/static/js/main.77b0d41f.js:2:12020`,
  ],
  python: [
    `Traceback (most recent call last):
  File "/srv/app-1.2.0/main.py", line 12, in <module>
    main()
  File "/srv/app-1.2.0/notes/editor.py", line 88, in save
    note.title.strip()
AttributeError: 'NoneType' object has no attribute 'strip'`,
    `Traceback (most recent call last):
  File "/opt/notes/main.py", line 14, in <module>
    main()
  File "/opt/notes/notes/editor.py", line 91, in save
    note.title.strip()
AttributeError: 'NoneType' object has no attribute 'strip'`,
  ],
};

describe('crash fingerprints', () => {
  it.each(Object.entries(traces))('%s: builds that differ in addresses, line numbers, offsets and paths share one fingerprint', (_kind, [a, b]) => {
    expect(topFrames(a)).toEqual(topFrames(b));
    expect(topFrames(a).length).toBeGreaterThan(1);
    expect(crashIdentity('Crash', a, null).fingerprint).toBe(crashIdentity('Crash', b, null).fingerprint);
  });

  it('normalizes each kind of frame to what identifies the code', () => {
    expect(topFrames(traces.jvm[0], 2)).toEqual([
      'at com.example.notes.editor.NoteEditor.save(NoteEditor.java)',
      'at com.example.notes.editor.NoteEditor.access$200(NoteEditor.java)',
    ]);
    expect(topFrames(traces.native[0], 1)).toEqual(['libnotes.so (render_note)']);
    expect(topFrames(traces.apple[0], 1)).toEqual(['libsystem_kernel.dylib __pthread_kill']);
    expect(topFrames(traces.javascript[0], 1)).toEqual(['at renderNote (main.js)']);
    expect(topFrames(traces.firefox[0], 1)).toEqual(['renderNote@main.js']);
    // Python prints the innermost frame last.
    expect(topFrames(traces.python[0])).toEqual(['File "editor.py", in save', 'File "main.py", in <module>']);
    expect(normalizeFrame('at Foo.bar(Foo.kt:12)')).toBe('at Foo.bar(Foo.kt)');
  });

  it('uses only the top five frames, so different callers of the same failing code group together', () => {
    const [top] = traces.jvm;
    const otherCaller = top.replace('at android.view.View.access$3600(View.java:810)', 'at android.widget.ListView.onTouch(ListView.java:12)');
    expect(crashIdentity('NPE', top, null).fingerprint).toBe(crashIdentity('NPE', otherCaller, null).fingerprint);
  });

  it('separates different bugs: another crash type, another top frame', () => {
    const [trace] = traces.jvm;
    const base = crashIdentity('java.lang.NullPointerException', trace, null).fingerprint;
    expect(crashIdentity('java.lang.IllegalStateException', trace, null).fingerprint).not.toBe(base);
    const elsewhere = trace.replace('NoteEditor.save(', 'NoteEditor.load(');
    expect(crashIdentity('java.lang.NullPointerException', elsewhere, null).fingerprint).not.toBe(base);
  });

  it('falls back to the message, numbers and quoted values removed, when there is no trace', () => {
    const a = crashIdentity('OutOfMemory', null, 'Failed to allocate 4194304 bytes for "bitmap-17"');
    const b = crashIdentity('OutOfMemory', null, 'Failed to allocate 1048576 bytes for "bitmap-3"');
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(crashIdentity('OutOfMemory', null, 'Disk full').fingerprint).not.toBe(a.fingerprint);
    expect(a.title).toBe('OutOfMemory: Failed to allocate 4194304 bytes for "bitmap-17"');
  });

  it('titles a group with the crash type and its top frame', () => {
    expect(crashIdentity('java.lang.NullPointerException', traces.jvm[0], 'whatever').title).toBe(
      'java.lang.NullPointerException in com.example.notes.editor.NoteEditor.save(NoteEditor.java)',
    );
    expect(crashIdentity('SIGSEGV', traces.native[1], null).title).toBe('SIGSEGV in libnotes.so (render_note)');
    expect(crashIdentity('x'.repeat(50), 'at ' + 'y'.repeat(400), null).title).toHaveLength(255);
  });
});
