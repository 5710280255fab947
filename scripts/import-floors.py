#!/usr/bin/env python3
"""Draws the import graph of src/ (one node per top-level module, tests left out), reports
any import circles, and lists the floors: each module one above the highest it imports.
Usage: python3 scripts/import-floors.py"""
import re,os,sys
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
mods={}
for dp,_,fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs') or f in('main.rs','lib.rs'): continue
        p=os.path.join(dp,f); rel=os.path.relpath(p,root)
        m=rel.split('/')[0].replace('.rs','')
        txt=open(p).read()
        # drop tests
        txt=txt.split('#[cfg(test)]')[0]
        deps=set(re.findall(r'crate::([a-z_]+)',txt))
        mods.setdefault(m,set()).update(d for d in deps if d!=m)
for m in sorted(mods): print(m,'->',' '.join(sorted(mods[m])))
# cycles via SCC
idx={};low={};st=[];on=set();res=[];c=[0]
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in mods.get(v,()):
        if w not in mods: continue
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: res.append(comp)
sys.setrecursionlimit(10000)
for v in mods:
    if v not in idx: sc(v)
print('CYCLES:',res)
# floors (longest path from bottom)
import functools
@functools.lru_cache(None)
def fl(v): return 0 if not [w for w in mods.get(v,()) if w in mods] else 1+max(fl(w) for w in mods[v] if w in mods)
if not res:
    by={}
    for v in mods: by.setdefault(fl(v),[]).append(v)
    for k in sorted(by): print(k, sorted(by[k]))
sys.exit(1 if res else 0)
